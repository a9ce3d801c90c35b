import * as tf from '@tensorflow/tfjs';
import { foldBatchNorm } from './foldBatchNorm.js';
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

export interface FromLayersModelOptions {
  /** Images per predict call (bounded memory); default 256. */
  batchSize?: number;
  /** The encoder stays the caller's (else it is disposed once folded): dispose() frees only the extractor's own inference copy. */
  borrowed?: boolean;
}

/**
 * Features from a layers model's output, computed by its inference-only copy with BatchNorm
 * folded into the convolutions (foldBatchNorm.ts): the same features up to float rounding, at
 * a fraction of the passes. The copy is a snapshot of the weights at this call.
 */
export function fromLayersModel(name: string, encoder: tf.LayersModel, options: FromLayersModelOptions = {}): FeatureExtractor {
  const { batchSize = 256, borrowed = false } = options;
  const [, height, width, channels] = encoder.inputs[0].shape;
  if (height !== width || channels !== 3 || typeof height !== 'number') {
    throw new Error(`encoder ${name} takes input [${encoder.inputs[0].shape}], expected [null, S, S, 3]`);
  }
  const dim = encoder.outputs[0].shape[1] as number;
  const size = height;
  const inference = foldBatchNorm(encoder);
  // predict's own default batch is 32, ~20 % more CPU per image than 256 on the bench model;
  // larger inputs get smaller batches (about 4M input pixels per call) to bound activation memory.
  const predictBatch = Math.max(32, Math.min(batchSize, Math.floor(2 ** 22 / (size * size))));
  if (!borrowed) encoder.dispose(); // the copy is all the extractor uses from here on
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
        const h = inference.predict(x, { batchSize: predictBatch }) as tf.Tensor;
        out.set(h.dataSync(), start * dim); // read outside tidy: tidy walks typed arrays slowly
        tf.dispose([x, h]);
      }
      return out;
    },
    dispose() {
      inference.dispose();
    },
  };
}

/** The untrained encoder of an architecture: the `random` baseline. */
export function randomEncoder(defaults: EncoderSpecDefaults): FeatureExtractor {
  const model = SimclrModel.build({ ...defaults.architecture, imageSize: defaults.imageSize });
  model.head.dispose();
  return fromLayersModel('random', model.encoder);
}

/** The pixels themselves, scaled to [0, 1]: the `raw` baseline. */
export function rawPixels(size: number): FeatureExtractor {
  return {
    name: 'raw',
    inputSize: size,
    dim: size * size * 3,
    embed: (pixels, n) => toUnitFloats(pixels.subarray(0, n * size * size * 3)),
    dispose() {},
  };
}
