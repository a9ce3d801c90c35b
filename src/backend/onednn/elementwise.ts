/**
 * Add, Sub and Multiply of float32 tensors of one shape (or one side a single value) natively;
 * other broadcasts and dtypes run the cpu kernels. And ReLU's gradient as one pass, where
 * TF.js's is step(x) then a multiply.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, ONEDNN, nativeOrCpu, output, sizeOf, type KernelArgs } from './kernelUtil.js';

export const RELU_GRAD = 'OnednnReluGrad';

const OPS = { Add: 0, Sub: 1, Multiply: 2 } as const;

function binary(op: number, args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { a, b } = args.inputs;
  if (!isFloat32(a) || !isFloat32(b)) return null;
  const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const n = sizeOf(outShape);
  const na = sizeOf(a.shape);
  const nb = sizeOf(b.shape);
  // Same length as the output, or a single value; anything else is a real broadcast.
  if (n < 1 || n >= 2 ** 40 || !((na === n || na === 1) && (nb === n || nb === 1))) return null;
  const out = allocOutput(addon, n);
  addon.binary(op, f32(args.backend, a), f32(args.backend, b), out);
  return output(args.backend, outShape, out);
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
    ...Object.entries(OPS).map(([name, op]) => nativeOrCpu(name, addon, (args, ad) => binary(op, args, ad))),
    { kernelName: RELU_GRAD, backendName: ONEDNN, kernelFunc: (args) => reluGrad(args as unknown as KernelArgs, addon) },
  ];
}

/**
 * Relu's gradient, global as TF.js gradients are: one native pass on onednn, TF.js's own
 * formula dy·step(x) on every other backend (and for non-float32 x).
 */
export const reluGradConfig: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const grad = dy as tf.Tensor;
    if (tf.getBackend() === ONEDNN && x.dtype === 'float32' && grad.dtype === 'float32') {
      return { x: () => tf.engine().runKernel(RELU_GRAD, { x, dy: grad }) as tf.Tensor };
    }
    return { x: () => tf.mul(grad, tf.cast(tf.step(x), 'float32')) };
  },
};
