import * as tf from '@tensorflow/tfjs';
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
