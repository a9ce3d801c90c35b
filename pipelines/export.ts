import fs from 'node:fs/promises';
import path from 'node:path';
import { selectBackend, type BackendName } from '../src/backend/select.js';
import { replaceDirAtomic } from '../src/io/atomic.js';
import { dirSaveHandler } from '../src/io/modelStore.js';
import { loadEncoder } from '../src/run/loadEncoder.js';
import { PREPROCESSING } from '../src/models/preprocess.js';

/**
 * `simclr export`: the run's encoder alone (TF.js layers format, output h), its
 * preprocessing.json and a README on loading it — written atomically into `out`.
 */
export async function exportEncoder(run: string, out: string, backend: BackendName = 'auto'): Promise<{ inputSize: number; dim: number; source: string }> {
  await selectBackend(backend, { quiet: true });
  const { encoder, label } = await loadEncoder(run);
  const inputSize = encoder.inputs[0].shape[1] as number;
  const dim = encoder.outputs[0].shape[1] as number;
  let config: unknown = null;
  try {
    config = JSON.parse(await fs.readFile(path.join(run, 'config.json'), 'utf8'));
  } catch {
    // an encoder directory without its run: export without the training record
  }
  await replaceDirAtomic(out, async (tmp) => {
    await encoder.save(dirSaveHandler(tmp));
    const preprocessing = { inputShape: [inputSize, inputSize, 3], outputDim: dim, ...PREPROCESSING };
    await fs.writeFile(path.join(tmp, 'preprocessing.json'), JSON.stringify(preprocessing, null, 2) + '\n');
    if (config) await fs.writeFile(path.join(tmp, 'training-config.json'), JSON.stringify(config, null, 2) + '\n');
    await fs.writeFile(path.join(tmp, 'README.md'), exportReadme(inputSize, dim));
  });
  encoder.dispose();
  return { inputSize, dim, source: label };
}

function exportReadme(size: number, dim: number): string {
  return `# SimCLR encoder (simclr-ts export)

A ResNet encoder f(·) pretrained with SimCLR: input \`[batch, ${size}, ${size}, 3]\` RGB in [0, 1]
(NHWC), output h \`[batch, ${dim}]\` (after global average pooling; the projection head is not included).
Preprocessing (\`preprocessing.json\`): resize the shorter side to ${size} px, centre-crop to ${size}×${size}, divide by 255.

## Node.js (tfjs-node / tfjs-node-gpu)

\`\`\`js
import * as tf from '@tensorflow/tfjs-node';
const encoder = await tf.loadLayersModel('file://' + '/path/to/this/folder/model.json');
const h = encoder.predict(images); // images: tf.Tensor4D [n, ${size}, ${size}, 3] in [0, 1]
\`\`\`

Without tfjs-node (wasm or cpu backend), use simclr-ts: \`simclr embed --encoder <this folder> --data <images> --out emb.npy\`,
or its \`dirLoadHandler\`: \`tf.loadLayersModel(dirLoadHandler('<this folder>'))\`.

## Browser

Serve this folder and load it with simclr-ts's browser entry, which applies preprocessing.json
as Node does (so h matches \`simclr embed\`):

\`\`\`js
import { loadEncoder } from 'simclr-ts/browser'; // plus a tfjs backend, e.g. import '@tensorflow/tfjs-backend-webgl'
const encoder = await loadEncoder('https://host/path/to/this/folder/');
const h = await encoder.embed(imageElement); // Float32Array(${dim})
\`\`\`
`;
}
