/**
 * BatchMatMul and _FusedMatMul (bias, relu/linear) on oneDNN. Transposes are strides, not
 * copies; a batch of 1 on one side broadcasts. Higher-rank batches are flattened to one axis.
 */
import * as tf from '@tensorflow/tfjs';
import type { OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, output, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

function matmul(args: KernelArgs, addon: OnednnAddon, fused: boolean): tf.TensorInfo | null {
  const { a, b, bias } = args.inputs;
  const transposeA = Boolean(args.attrs.transposeA);
  const transposeB = Boolean(args.attrs.transposeB);
  if (!isFloat32(a) || !isFloat32(b) || a.shape.length < 2 || b.shape.length < 2) return null;
  if (!validDims(a.shape) || !validDims(b.shape)) return null;
  const activation = fused ? ((args.attrs.activation as string | undefined) ?? 'linear') : 'linear';
  if (activation !== 'linear' && activation !== 'relu') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, ka] = transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [kb, n] = transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (ka !== kb) return null;
  const batchDimsA = a.shape.slice(0, -2);
  const batchDimsB = b.shape.slice(0, -2);
  const batchA = sizeOf(batchDimsA);
  const batchB = sizeOf(batchDimsB);
  // One side unbatched (or of batch 1) broadcasts; otherwise the batch shapes must be equal.
  const sameBatch = batchDimsA.length === batchDimsB.length && batchDimsA.every((d, i) => d === batchDimsB[i]);
  if (!(batchA === 1 || batchB === 1 || sameBatch)) return null;
  const batchDims = tf.backend_util.assertAndGetBroadcastShape(batchDimsA, batchDimsB);
  if (fused && bias != null && !(isFloat32(bias) && sizeOf(bias.shape) === n && bias.shape[bias.shape.length - 1] === n)) return null;
  const outShape = [...batchDims, m, n];
  if (sizeOf(outShape) >= 2 ** 40) return null;
  const c = allocOutput(addon, sizeOf(outShape));
  addon.matmul(
    f32(args.backend, a), f32(args.backend, b), fused && bias != null ? f32(args.backend, bias) : null, c,
    [batchA, batchB, m, ka, n], transposeA, transposeB, activation === 'relu');
  return output(args.backend, outShape, c);
}

export function matmulKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    nativeOrCpu('BatchMatMul', addon, (args, ad) => matmul(args, ad, false)),
    nativeOrCpu('_FusedMatMul', addon, (args, ad) => matmul(args, ad, true)),
  ];
}
