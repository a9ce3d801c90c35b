import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { modelConfigOf } from '../config/pretrainOptions.js';
import { dirLoadHandler } from '../io/modelStore.js';
import { hasCheckpoint, loadCheckpointWeights } from '../train/checkpoint.js';
import { runPaths } from '../train/runDirectory.js';
import { toUnitFloats } from './preprocess.js';
import { SimclrModel, type ModelConfig } from './simclrModel.js';

/**
 * Maps decoded images (NHWC RGB bytes at the encoder's input size, see preprocess.ts) to features.
 * The same interface serves a trained encoder and the two baselines every result is read
 * against: `raw` (the pixels themselves) and `random` (an untrained encoder).
 */
export interface FeatureExtractor {
  readonly name: string;
  readonly inputSize: number;
  readonly dim: number;
  /** pixels: n × S × S × 3 bytes; returns n × dim, computed in batches (bounded memory). */
  embed(pixels: Uint8Array, n: number): Float32Array;
  dispose(): void;
}

export interface EncoderSpecDefaults {
  /** For `raw` and `random`, which have no saved input size or architecture. */
  imageSize: number;
  architecture: Omit<ModelConfig, 'imageSize'>;
}

export interface LoadedEncoder {
  encoder: tf.LayersModel;
  /** What was loaded, for logs and reports: the spec, plus the checkpoint step for an unfinished run. */
  label: string;
}

/**
 * A trained encoder: an encoder directory, a finished run (its encoder/), or a run that is still
 * training or was stopped (the encoder part of its latest checkpoint, read without touching it).
 */
export async function loadEncoder(spec: string): Promise<LoadedEncoder> {
  const finished = [spec, path.join(spec, 'encoder')].find((d) => fs.existsSync(path.join(d, 'model.json')));
  if (finished) return { encoder: await tf.loadLayersModel(dirLoadHandler(finished)), label: spec };
  const paths = runPaths(spec);
  if (!hasCheckpoint(paths.checkpoint)) {
    throw new Error(`--encoder ${spec}: not a run directory, an encoder directory (model.json), 'raw' or 'random'`);
  }
  let options: Parameters<typeof modelConfigOf>[0];
  let totalSteps: number | undefined;
  try {
    const config = JSON.parse(fs.readFileSync(paths.config, 'utf8'));
    options = config.options;
    totalSteps = config.schedule?.totalSteps;
    if (!options?.backbone) throw new Error('it has no options.backbone');
  } catch (err) {
    throw new Error(`--encoder ${spec}: a run without encoder/ whose ${paths.config} cannot describe the model (${(err as Error).message})`);
  }
  const model = SimclrModel.build(modelConfigOf(options));
  try {
    const step = await loadCheckpointWeights(paths.checkpoint, model);
    model.head.dispose();
    return { encoder: model.encoder, label: `${spec} (checkpoint, step ${step}${totalSteps ? ` of ${totalSteps}` : ''})` };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

export async function loadFeatureExtractor(spec: string, defaults: EncoderSpecDefaults): Promise<FeatureExtractor> {
  if (spec === 'raw') return rawPixels(defaults.imageSize);
  if (spec === 'random') {
    const model = SimclrModel.build({ ...defaults.architecture, imageSize: defaults.imageSize });
    model.head.dispose();
    return fromLayersModel('random', model.encoder);
  }
  const { encoder, label } = await loadEncoder(spec);
  return fromLayersModel(label, encoder);
}

export function fromLayersModel(name: string, encoder: tf.LayersModel, batchSize = 256): FeatureExtractor {
  const [, height, width, channels] = encoder.inputs[0].shape;
  if (height !== width || channels !== 3 || typeof height !== 'number') {
    throw new Error(`encoder ${name} takes input [${encoder.inputs[0].shape}], expected [null, S, S, 3]`);
  }
  const dim = encoder.outputs[0].shape[1] as number;
  const size = height;
  return {
    name,
    inputSize: size,
    dim,
    embed(pixels, n) {
      const out = new Float32Array(n * dim);
      const per = size * size * 3;
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        const x = tf.tensor4d(toUnitFloats(pixels.subarray(start * per, (start + count) * per)), [count, size, size, 3]);
        const h = encoder.predict(x) as tf.Tensor;
        out.set(h.dataSync(), start * dim); // read outside tidy: tidy walks typed arrays slowly
        tf.dispose([x, h]);
      }
      return out;
    },
    dispose() {
      encoder.dispose();
    },
  };
}

function rawPixels(size: number): FeatureExtractor {
  return {
    name: 'raw',
    inputSize: size,
    dim: size * size * 3,
    embed: (pixels, n) => toUnitFloats(pixels.subarray(0, n * size * size * 3)),
    dispose() {},
  };
}
