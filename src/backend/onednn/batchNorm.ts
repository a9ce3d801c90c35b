/**
 * Batch normalisation in training mode as one op with its own gradient, on oneDNN: statistics
 * and normalisation in one forward kernel, the full gradient (through the batch statistics) in
 * one backward kernel. TF.js-layers composes the same from moments + batchNorm, ~8 full-size
 * passes each way. Channels last; x is [n, h, w, c] or [n, c]. And TF.js's own FusedBatchNorm
 * (inference, with the moving statistics) as one native pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dims4, OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, ONEDNN, output, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

export const BATCH_NORM_TRAINING = 'OnednnBatchNormTraining';
export const BATCH_NORM_TRAINING_GRAD = 'OnednnBatchNormTrainingGrad';

/** [n, h, w, c] of a rank-4 NHWC or rank-2 [n, c] tensor. */
function dims(shape: readonly number[]): Dims4 {
  return shape.length === 4 ? [shape[0], shape[1], shape[2], shape[3]] : [shape[0], 1, 1, shape[1]];
}

/** Whether the fused op takes x, scale and offset (else callers use the composed ops). */
export function fusedBatchNormSupported(x: tf.TensorInfo, scale: tf.TensorInfo, offset: tf.TensorInfo): boolean {
  if (!isFloat32(x) || !isFloat32(scale) || !isFloat32(offset)) return false;
  if ((x.shape.length !== 4 && x.shape.length !== 2) || !validDims(x.shape) || sizeOf(x.shape) >= 2 ** 40) return false;
  const c = x.shape[x.shape.length - 1];
  return sizeOf(scale.shape) === c && sizeOf(offset.shape) === c;
}

function epsilonOf(attrs: Record<string, unknown>): number {
  const e = attrs.varianceEpsilon;
  if (typeof e !== 'number' || !(e > 0 && e < 1)) throw new Error(`onednn batch norm: varianceEpsilon must be in (0, 1), got ${String(e)}`);
  return e;
}

function forward({ inputs, backend, attrs }: KernelArgs, addon: OnednnAddon): tf.TensorInfo[] {
  const { x, scale, offset } = inputs;
  if (x == null || scale == null || offset == null || !fusedBatchNormSupported(x, scale, offset)) {
    throw new Error(`onednn batch norm: unsupported inputs (float32 [n,h,w,c] or [n,c] with per-channel scale and offset)`);
  }
  const d = dims(x.shape);
  const c = d[3];
  const y = allocOutput(addon, sizeOf(x.shape));
  const mean = allocOutput(addon, c);
  const variance = allocOutput(addon, c);
  addon.batchNormForward(f32(backend, x), d, f32(backend, scale), f32(backend, offset), y, mean, variance, epsilonOf(attrs));
  return [output(backend, [...x.shape], y), output(backend, [c], mean), output(backend, [c], variance)];
}

function backward({ inputs, backend, attrs }: KernelArgs, addon: OnednnAddon): tf.TensorInfo[] {
  const { x, dy, scale, mean, variance } = inputs;
  if (x == null || dy == null || scale == null || mean == null || variance == null || !fusedBatchNormSupported(x, scale, mean)) {
    throw new Error('onednn batch norm gradient: unsupported inputs');
  }
  if (!isFloat32(dy) || dy.shape.join() !== x.shape.join() || !isFloat32(variance) || sizeOf(variance.shape) !== sizeOf(mean.shape)) {
    throw new Error('onednn batch norm gradient: dy and variance must match x and mean');
  }
  const d = dims(x.shape);
  const c = d[3];
  const dx = allocOutput(addon, sizeOf(x.shape));
  const dscale = allocOutput(addon, c);
  const doffset = allocOutput(addon, c);
  addon.batchNormBackward(
    f32(backend, x), d, f32(backend, dy), f32(backend, scale), f32(backend, mean), f32(backend, variance), dx, dscale, doffset, epsilonOf(attrs));
  return [output(backend, [...x.shape], dx), output(backend, [...scale.shape], dscale), output(backend, [...scale.shape], doffset)];
}

/** TF.js's FusedBatchNorm (given statistics: inference) when every per-channel input is per last-axis channel. */
function inference({ inputs, backend, attrs }: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x, mean, variance, offset, scale } = inputs;
  if (!isFloat32(x) || x.shape.length < 1 || !validDims(x.shape) || sizeOf(x.shape) >= 2 ** 40) return null;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.TensorInfo | undefined) => isFloat32(t) && sizeOf(t.shape) === c && t.shape[t.shape.length - 1] === c;
  if (!perChannel(mean) || !perChannel(variance)) return null;
  if ((offset != null && !perChannel(offset)) || (scale != null && !perChannel(scale))) return null;
  const epsilon = attrs.varianceEpsilon;
  if (typeof epsilon !== 'number' || !(epsilon >= 0 && epsilon < 1)) return null;
  const y = allocOutput(addon, sizeOf(x.shape));
  addon.batchNormInference(
    f32(backend, x), c, f32(backend, mean!), f32(backend, variance!),
    offset != null ? f32(backend, offset) : null, scale != null ? f32(backend, scale) : null, epsilon, y);
  return output(backend, [...x.shape], y);
}

export function batchNormKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    nativeOrCpu('FusedBatchNorm', addon, inference),
    { kernelName: BATCH_NORM_TRAINING, backendName: ONEDNN, kernelFunc: (args) => forward(args as unknown as KernelArgs, addon) },
    { kernelName: BATCH_NORM_TRAINING_GRAD, backendName: ONEDNN, kernelFunc: (args) => backward(args as unknown as KernelArgs, addon) },
  ];
}

// The batch statistics feed only the moving averages (no gradient flows back through them), so
// the gradient uses dy of y alone; oneDNN's backward accounts for y's dependence on them.
export const batchNormTrainingGradConfig: tf.GradConfig = {
  kernelName: BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor;
    const [x, scale, mean, variance] = saved;
    const [dx, dscale, doffset] = tf.engine().runKernel(
      BATCH_NORM_TRAINING_GRAD, { x, dy, scale, mean, variance }, attrs as tf.NamedAttrMap) as tf.Tensor[];
    // Clones: the engine disposes each returned gradient on its own schedule.
    return { x: () => dx.clone(), scale: () => dscale.clone().reshape(scale.shape), offset: () => doffset.clone().reshape(scale.shape) };
  },
};

/**
 * y = γ·(x − μ)/√(σ² + ε) + β with μ, σ² the batch's per-channel mean and (biased) variance,
 * returned too for the moving averages. Only on the onednn backend; check
 * fusedBatchNormSupported first.
 */
export function batchNormTraining(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const [y, mean, variance] = tf.engine().runKernel(
    BATCH_NORM_TRAINING, { x, scale, offset }, { varianceEpsilon: epsilon }) as tf.Tensor[];
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}
