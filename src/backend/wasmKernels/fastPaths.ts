/**
 * Fast paths in front of four stock wasm kernels that a training step calls hundreds of times;
 * anything outside a fast path goes to the stock kernel unchanged.
 *
 * - Sum / Mean over the leading axes ([0, 1, 2] of NHWC: BatchNorm's moments, the channel sums
 *   of its gradient, bias gradients). The stock kernels transpose the whole tensor to put those
 *   axes last and then reduce; XNNPACK's average pooling needs no transpose.
 * - Identity (every saved tensor of a custom-gradient op, every tf.clone) and Cast to the same
 *   dtype copy the whole buffer on wasm; tensors are immutable, so they share it instead, as
 *   Reshape does.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { avgPoolValid, release, reshape, view, type TensorInfo } from './wasmOps.js';

interface Args {
  inputs: { x: TensorInfo };
  backend: BackendWasm;
  attrs: { axis?: number | number[]; keepDims?: boolean; dtype?: tf.DataType };
}
type Fast = (args: Args) => TensorInfo | null;

/** k when the reduction is over axes 0..k−1 with k < rank, else null (the stock kernel's case). */
function leadingAxes(x: TensorInfo, axis: number | number[] | undefined): number | null {
  if (x.dtype !== 'float32' || x.shape.length < 2 || x.shape.includes(0) || axis == null) return null;
  const axes = [...new Set(tf.util.parseAxisParam(axis, x.shape))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length >= x.shape.length || axes.some((a, i) => a !== i)) return null;
  return axes.length;
}

/**
 * Σ or mean of x over its first k axes. x is viewed as [a, b, 1, cols] (a = first dim, b = the
 * rest of the reduced dims): XNNPACK's average pooling with a b×1 window gives the a row means,
 * and a short loop averages those (~14× faster than the stock kernel's transpose + reduce).
 */
function reduceLeading(backend: BackendWasm, x: TensorInfo, k: number, keepDims: boolean, mean: boolean): TensorInfo {
  const [a, b] = k === 1 ? [1, x.shape[0]] : [x.shape[0], x.shape.slice(1, k).reduce((p, d) => p * d, 1)];
  const outShape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  const cols = x.shape.slice(k).reduce((p, d) => p * d, 1);
  const rowMeans = avgPoolValid(backend, reshape(x, [a, b, 1, cols]), [b, 1]);
  const out = backend.makeOutput(outShape, 'float32');
  // Views after the last allocation: a heap growth would detach earlier ones.
  const src = view(backend, rowMeans);
  const dst = view(backend, out);
  const acc = new Float64Array(cols);
  for (let r = 0, i = 0; r < a; r++) {
    for (let c = 0; c < cols; c++, i++) acc[c] += src[i];
  }
  const scale = mean ? 1 / a : b;
  for (let c = 0; c < cols; c++) dst[c] = acc[c] * scale;
  release(backend, rowMeans);
  return out;
}

function shared(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const FAST: Record<string, Fast> = {
  Sum: ({ inputs: { x }, backend, attrs }) => {
    const k = leadingAxes(x, attrs.axis);
    return k == null ? null : reduceLeading(backend, x, k, attrs.keepDims ?? false, false);
  },
  Mean: ({ inputs: { x }, backend, attrs }) => {
    const k = leadingAxes(x, attrs.axis);
    return k == null ? null : reduceLeading(backend, x, k, attrs.keepDims ?? false, true);
  },
  Identity: ({ inputs: { x }, backend }) => (x.dtype === 'string' ? null : shared(backend, x)),
  Cast: ({ inputs: { x }, backend, attrs }) => (attrs.dtype === x.dtype && x.dtype !== 'string' ? shared(backend, x) : null),
};

export const FAST_PATH_KERNELS = Object.keys(FAST);

/** `stock` with the fast path in front; keeps its setup so the stock part stays initialised. */
export function withFastPath(stock: tf.KernelConfig): tf.KernelConfig {
  const fast = FAST[stock.kernelName];
  if (fast == null) throw new Error(`no fast path for kernel '${stock.kernelName}'`);
  return {
    ...stock,
    kernelFunc: (args) => fast(args as unknown as Args) ?? (stock.kernelFunc(args) as TensorInfo),
  };
}
