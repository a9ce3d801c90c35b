/**
 * MaxPool, AvgPool and their gradients on oneDNN, NHWC, for any window, stride and padding
 * TF.js computes a consistent geometry for. AvgPoolGrad here is the gradient of the forward
 * TF.js computes (padding excluded from each window's count); the cpu backend's divides by
 * the full window, which agrees only where no padding is applied.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dims4, OnednnAddon, PoolGeometry } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, output, outputExtent, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const MAX = 0;
const AVG = 1;

/**
 * Window, geometry and output shape of pooling an NHWC `xShape`, or null when oneDNN cannot run
 * it as TF.js defines it: dilation, a rounding mode that disagrees with floor, or a window
 * lying wholly in the padding (each pad must be smaller than the window).
 */
export function poolGeometry(xShape: number[], attrs: PoolAttrs): { window: [number, number]; geometry: PoolGeometry; outShape: Dims4 } | null {
  if (xShape.length !== 4 || !validDims(xShape)) return null;
  const info = tf.backend_util.computePool2DInfo(xShape as Dims4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, 'channelsLast');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  const { top, left, bottom, right } = info.padInfo;
  const window: [number, number] = [info.filterHeight, info.filterWidth];
  const geometry: PoolGeometry = [info.strideHeight, info.strideWidth, top, left, bottom, right];
  if (![...window, ...geometry].every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 20)) return null;
  if (window[0] < 1 || window[1] < 1 || geometry[0] < 1 || geometry[1] < 1) return null;
  if (top >= window[0] || bottom >= window[0] || left >= window[1] || right >= window[1]) return null;
  if (!validDims(info.outShape)) return null;
  if (outputExtent(info.inHeight, window[0], geometry[0], 1, top, bottom) !== info.outHeight) return null;
  if (outputExtent(info.inWidth, window[1], geometry[1], 1, left, right) !== info.outWidth) return null;
  return { window, geometry, outShape: info.outShape as Dims4 };
}

function forward(kind: number, args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x } = args.inputs;
  if (!isFloat32(x)) return null;
  const pool = poolGeometry(x.shape, args.attrs as unknown as PoolAttrs);
  if (pool == null) return null;
  const y = allocOutput(addon, sizeOf(pool.outShape));
  addon.pool2dForward(kind, f32(args.backend, x), x.shape as Dims4, y, pool.outShape, pool.window, pool.geometry);
  return output(args.backend, [...pool.outShape], y);
}

function backward(kind: number, args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { dy, input } = args.inputs;
  if (!isFloat32(dy) || !isFloat32(input)) return null;
  const pool = poolGeometry(input.shape, args.attrs as unknown as PoolAttrs);
  if (pool == null || dy.shape.length !== 4 || !dy.shape.every((d, i) => d === pool.outShape[i])) return null;
  const dx = allocOutput(addon, sizeOf(input.shape));
  // Average pooling's gradient does not read the input's values, only its shape.
  const x = kind === MAX ? f32(args.backend, input) : null;
  addon.pool2dBackward(kind, x, input.shape as Dims4, f32(args.backend, dy), pool.outShape, dx, pool.window, pool.geometry);
  return output(args.backend, [...input.shape], dx);
}

export function poolKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    nativeOrCpu('MaxPool', addon, (args, a) => forward(MAX, args, a)),
    nativeOrCpu('AvgPool', addon, (args, a) => forward(AVG, args, a)),
    nativeOrCpu('MaxPoolGrad', addon, (args, a) => backward(MAX, args, a)),
    nativeOrCpu('AvgPoolGrad', addon, (args, a) => backward(AVG, args, a)),
  ];
}
