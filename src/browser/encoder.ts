import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { checkPreprocessing, imageToRgb, type BrowserImage, type Preprocessing } from './preprocess.js';

/** An exported encoder (simclr export) loaded in the browser: h for images, as Node computes it. */
export interface BrowserEncoder {
  readonly inputSize: number;
  readonly dim: number;
  readonly preprocessing: Preprocessing;
  /** h of one image of any size (preprocessed as preprocessing.json says). */
  embed(image: BrowserImage): Promise<Float32Array>;
  /** h of n images already preprocessed: n × S × S × 3 RGB bytes (what Node's decoder yields). */
  embedPixels(pixels: Uint8Array, n: number): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Load an export folder served over HTTP (`model.json`, weights, `preprocessing.json`) on the
 * active tfjs backend (webgl, wasm or cpu: register and `tf.setBackend` it first).
 */
export async function loadEncoder(folderUrl: string | URL): Promise<BrowserEncoder> {
  const base = new URL(folderUrl, globalThis.location?.href);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const response = await fetch(new URL('preprocessing.json', base));
  if (!response.ok) throw new Error(`${base}preprocessing.json: HTTP ${response.status}`);
  const preprocessing = checkPreprocessing(await response.json(), `${base}preprocessing.json`);
  const model = await loadLayersModel(new URL('model.json', base).href);
  const size = preprocessing.inputShape[0];
  const [, h, w, c] = model.inputs[0].shape;
  if (h !== size || w !== size || c !== 3) {
    model.dispose();
    throw new Error(`${base}model.json takes [${model.inputs[0].shape}], preprocessing.json says ${size}×${size}×3`);
  }
  return encoderOf(model, preprocessing);
}

function encoderOf(model: LayersModel, preprocessing: Preprocessing): BrowserEncoder {
  const size = preprocessing.inputShape[0];
  const dim = model.outputs[0].shape[1] as number;
  const embedPixels = async (pixels: Uint8Array, n: number): Promise<Float32Array> => {
    if (pixels.length !== n * size * size * 3) throw new Error(`expected ${n} × ${size} × ${size} × 3 bytes, got ${pixels.length}`);
    // bytes / 255 in JS, as Node's toUnitFloats does, so both feed the model the same floats.
    const x = tf.tensor4d(Float32Array.from(pixels, (v) => v / 255), [n, size, size, 3]);
    const out = model.predict(x) as tf.Tensor;
    try {
      return (await out.data()) as Float32Array;
    } finally {
      tf.dispose([x, out]);
    }
  };
  return {
    inputSize: size,
    dim,
    preprocessing,
    embed: (image) => embedPixels(imageToRgb(image, size), 1),
    embedPixels,
    dispose: () => model.dispose(),
  };
}
