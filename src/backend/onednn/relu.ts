/** Relu on oneDNN (one vectorised, multi-threaded pass instead of a JS loop). */
import * as tf from '@tensorflow/tfjs';
import type { OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, output, sizeOf, type KernelArgs } from './kernelUtil.js';

function relu(args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x } = args.inputs;
  if (!isFloat32(x) || sizeOf(x.shape) < 1 || sizeOf(x.shape) >= 2 ** 31) return null;
  const y = allocOutput(addon, sizeOf(x.shape));
  addon.reluForward(f32(args.backend, x), y);
  return output(args.backend, [...x.shape], y);
}

export function reluKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [nativeOrCpu('Relu', addon, relu)];
}
