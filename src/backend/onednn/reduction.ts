/** Sum and Mean of float32 tensors over any axes (rank ≤ 6) on oneDNN; other dtypes fall back. */
import * as tf from '@tensorflow/tfjs';
import type { OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, output, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

function reduce(op: 0 | 1, args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x } = args.inputs;
  if (!isFloat32(x) || x.shape.length < 1 || x.shape.length > 6 || !validDims(x.shape) || sizeOf(x.shape) >= 2 ** 40) return null;
  const axes = tf.util.parseAxisParam(args.attrs.axis as number | number[], x.shape);
  const reduced = x.shape.map((_, i) => (axes.includes(i) ? 1 : 0));
  const kept = x.shape.filter((_, i) => !axes.includes(i));
  const outShape = args.attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
  const out = allocOutput(addon, sizeOf(kept));
  addon.reduce(op, f32(args.backend, x), [...x.shape], reduced, out);
  return output(args.backend, outShape, out);
}

export function reductionKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    nativeOrCpu('Sum', addon, (args, a) => reduce(0, args, a)),
    nativeOrCpu('Mean', addon, (args, a) => reduce(1, args, a)),
  ];
}
