import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { exportEncoder } from '../../pipelines/export.js';
import { dirSaveHandler } from '../../src/io/modelStore.js';
import { SimclrModel } from '../../src/models/simclrModel.js';

/**
 * dir/export: a `simclr export` of a small ResNet (width 0.125) at size × size, every weight
 * non-trivial (BatchNorm statistics moved away from 0 / 1, as training would).
 */
export async function writeTestExport(dir: string, size: number): Promise<string> {
  const model = SimclrModel.build({ backbone: 'resnet18', width: 0.125, imageSize: size, cifarStem: true, projDim: 16, projLayers: 2, seed: 3 });
  model.head.dispose();
  tf.tidy(() => {
    for (const w of model.encoder.weights) {
      const name = w.originalName;
      if (/moving_mean|beta/.test(name)) w.write(tf.randomUniform(w.shape as number[], -0.2, 0.2, 'float32', 1));
      if (/moving_variance|gamma/.test(name)) w.write(tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', 2));
    }
  });
  await model.encoder.save(dirSaveHandler(path.join(dir, 'encoder')));
  model.encoder.dispose();
  await exportEncoder(path.join(dir, 'encoder'), path.join(dir, 'export'), 'wasm');
  return path.join(dir, 'export');
}

