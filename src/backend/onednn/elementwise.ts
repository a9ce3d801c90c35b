/**
 * Add, Sub, Multiply and Pow of float32 tensors with any broadcast (rank ≤ 6), and Abs,
 * Square, Neg and Sqrt, natively; other dtypes run the cpu kernels. And ReLU's gradient as one
 * pass, where TF.js's is step(x) then a multiply.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, ONEDNN, nativeOrCpu, output, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

export const RELU_GRAD = 'OnednnReluGrad';

const BINARY = { Add: 0, Sub: 1, Multiply: 2, Pow: 3 } as const;
const UNARY = { Abs: 0, Square: 1, Neg: 2, Sqrt: 3 } as const;

/** `shape` with leading 1s up to `rank` (NumPy broadcasting aligns trailing axes). */
function padded(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

function binary(op: number, args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { a, b } = args.inputs;
  if (!isFloat32(a) || !isFloat32(b)) return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = sizeOf(outShape);
  if (n < 1 || n >= 2 ** 40 || !validDims(a.shape) || !validDims(b.shape)) return null;
  // A scalar result is rank 0; the addon works on rank 1 to 6.
  const rank = Math.max(1, outShape.length);
  if (rank > 6) return null;
  const out = allocOutput(addon, n);
  addon.binary(op, f32(args.backend, a), padded(a.shape, rank), f32(args.backend, b), padded(b.shape, rank), out, padded(outShape, rank));
  return output(args.backend, outShape, out);
}

function unary(op: number, { inputs, backend }: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x } = inputs;
  if (!isFloat32(x) || sizeOf(x.shape) < 1 || sizeOf(x.shape) >= 2 ** 40) return null;
  const out = allocOutput(addon, sizeOf(x.shape));
  addon.unary(op, f32(backend, x), out);
  return output(backend, [...x.shape], out);
}

function reluGrad({ inputs, backend }: KernelArgs, addon: OnednnAddon): tf.TensorInfo {
  const { x, dy } = inputs;
  if (!isFloat32(x) || !isFloat32(dy) || x.shape.join() !== dy.shape.join()) {
    throw new Error('onednn relu gradient: x and dy must be float32 of one shape');
  }
  const dx = allocOutput(addon, sizeOf(x.shape));
  addon.reluGrad(f32(backend, x), f32(backend, dy), dx);
  return output(backend, [...x.shape], dx);
}

export function elementwiseKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    ...Object.entries(BINARY).map(([name, op]) => nativeOrCpu(name, addon, (args, ad) => binary(op, args, ad))),
    ...Object.entries(UNARY).map(([name, op]) => nativeOrCpu(name, addon, (args, ad) => unary(op, args, ad))),
    { kernelName: RELU_GRAD, backendName: ONEDNN, kernelFunc: (args) => reluGrad(args as unknown as KernelArgs, addon) },
  ];
}

/**
 * Relu's gradient, global as TF.js gradients are: one native pass on onednn, dy·step(y) on every
 * other backend (and for non-float32 y). Taken from the output (y > 0 exactly where x > 0): y is
 * saved anyway as the next layer's input, so the tape no longer keeps each BatchNorm's output
 * alive for ReLU alone (a third of a ResNet's saved activations).
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: 'Relu',
  outputsToSave: [true],
  gradFunc: (dy, saved) => {
    const [y] = saved;
    const grad = dy as tf.Tensor;
    if (tf.getBackend() === ONEDNN && y.dtype === 'float32' && grad.dtype === 'float32') {
      return { x: () => tf.engine().runKernel(RELU_GRAD, { x: y, dy: grad }) as tf.Tensor };
    }
    return { x: () => tf.mul(grad, tf.cast(tf.step(y), 'float32')) };
  },
};
