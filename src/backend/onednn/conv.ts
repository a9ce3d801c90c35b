/**
 * Conv2D, FusedConv2D (bias and relu/linear fused; other activations fall back), and both
 * backward convolutions on oneDNN, for NHWC data and any stride, padding (same, valid or
 * explicit) and dilation TF.js computes a consistent geometry for. And, for inference, a
 * convolution with a residual added before its activation (a ResNet block's last convolution,
 * its add and its ReLU as one kernel): this backend's own op, with no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry, Dims4, OnednnAddon } from './addon.js';
import { allocOutput } from './outputPool.js';
import { f32, isFloat32, nativeOrCpu, ONEDNN, output, outputExtent, sizeOf, validDims, type KernelArgs } from './kernelUtil.js';

export const CONV2D_RESIDUAL = 'OnednnConv2DResidual';

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The geometry of an NHWC convolution of `xShape` by `filterShape`, or null when oneDNN cannot
 * run it as TF.js defines it (NCHW, a rounding mode that disagrees with floor, odd shapes).
 */
export function convGeometry(xShape: number[], filterShape: number[], attrs: ConvAttrs): { info: tf.backend_util.Conv2DInfo; geometry: ConvGeometry } | null {
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  if (xShape.length !== 4 || filterShape.length !== 4 || !validDims(xShape) || !validDims(filterShape)) return null;
  if (xShape[3] !== filterShape[2]) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Dims4, filterShape as Dims4, attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { top, left, bottom, right } = info.padInfo;
  const geometry: ConvGeometry = [info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, top, left, bottom, right];
  if (!geometry.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 20)) return null;
  if (geometry.slice(0, 4).some((v) => v < 1)) return null;
  if (!validDims(info.outShape)) return null;
  if (outputExtent(info.inHeight, info.filterHeight, info.strideHeight, info.dilationHeight, top, bottom) !== info.outHeight) return null;
  if (outputExtent(info.inWidth, info.filterWidth, info.strideWidth, info.dilationWidth, left, right) !== info.outWidth) return null;
  return { info, geometry };
}

/** Each padding smaller than the dilated filter (oneDNN 2.6.3 crashes on a residual convolution otherwise). */
function paddingInsideFilter(conv: { info: tf.backend_util.Conv2DInfo; geometry: ConvGeometry }): boolean {
  const [, , dh, dw, top, left, bottom, right] = conv.geometry;
  const eh = (conv.info.filterHeight - 1) * dh + 1;
  const ew = (conv.info.filterWidth - 1) * dw + 1;
  return top < eh && bottom < eh && left < ew && right < ew;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function forward(args: KernelArgs, addon: OnednnAddon, fused: boolean, residual?: tf.TensorInfo): tf.TensorInfo | null {
  const { x, filter, bias } = args.inputs;
  if (!isFloat32(x) || !isFloat32(filter)) return null;
  const activation = fused ? ((args.attrs.activation as string | undefined) ?? 'linear') : 'linear';
  if (activation !== 'linear' && activation !== 'relu') return null;
  const conv = convGeometry(x.shape, filter.shape, args.attrs as unknown as ConvAttrs);
  if (conv == null) return null;
  const outShape = conv.info.outShape;
  const channels = outShape[3];
  // A bias of one value per output channel (any leading 1s); scalars and others fall back.
  if (fused && bias != null) {
    if (!isFloat32(bias) || sizeOf(bias.shape) !== channels || bias.shape.length === 0 || bias.shape[bias.shape.length - 1] !== channels) return null;
  }
  if (residual != null && !(isFloat32(residual) && sameShape(residual.shape, outShape) && paddingInsideFilter(conv))) return null;
  const y = allocOutput(addon, sizeOf(outShape));
  addon.conv2dForward(
    f32(args.backend, x), x.shape as Dims4, f32(args.backend, filter), filter.shape as Dims4,
    fused && bias != null ? f32(args.backend, bias) : null, residual != null ? f32(args.backend, residual) : null,
    y, outShape, conv.geometry, activation === 'relu');
  return output(args.backend, outShape, y);
}

export interface Conv2DResidualAttrs {
  strides: [number, number];
  pad: 'valid' | 'same';
  dilations: [number, number];
  activation: 'linear' | 'relu';
}

/** Whether conv2dResidual runs these operands on this backend (else compose conv, add, activation). */
export function conv2dResidualSupported(x: tf.Tensor, filter: tf.Tensor, bias: tf.Tensor | null, residual: tf.Tensor, attrs: Conv2DResidualAttrs): boolean {
  if (tf.getBackend() !== ONEDNN || tf.getKernel(CONV2D_RESIDUAL, ONEDNN) == null) return false;
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || residual.dtype !== 'float32' || (bias != null && bias.dtype !== 'float32')) return false;
  const conv = convGeometry(x.shape, filter.shape, { ...attrs, dataFormat: 'NHWC' });
  if (conv == null || !sameShape(residual.shape, conv.info.outShape) || !paddingInsideFilter(conv)) return false;
  return bias == null || (bias.shape.length === 1 && bias.shape[0] === conv.info.outShape[3]);
}

/**
 * act(conv2d(x, filter) + bias + residual) as one kernel, for inference (no gradient). Only on
 * the onednn backend; check conv2dResidualSupported first.
 */
export function conv2dResidual(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D | null, residual: tf.Tensor4D, attrs: Conv2DResidualAttrs): tf.Tensor4D {
  const inputs: tf.NamedTensorMap = bias != null ? { x, filter, bias, residual } : { x, filter, residual };
  return tf.engine().runKernel(CONV2D_RESIDUAL, inputs, { ...attrs, dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

function residualForward(args: KernelArgs, addon: OnednnAddon): tf.TensorInfo {
  const { residual } = args.inputs;
  const out = residual == null ? null : forward(args, addon, true, residual);
  if (out == null) throw new Error('onednn conv2dResidual: unsupported inputs (float32 NHWC x, HWIO filter, per-channel bias, residual of the output\'s shape, each padding smaller than the filter)');
  return out;
}

function backwardData(args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { dy, filter } = args.inputs;
  if (!isFloat32(dy) || !isFloat32(filter)) return null;
  const inputShape = args.attrs.inputShape as number[];
  const conv = convGeometry(inputShape, filter.shape, { ...(args.attrs as unknown as ConvAttrs), dilations: 1 });
  if (conv == null || !sameShape(dy.shape, conv.info.outShape)) return null;
  const dx = allocOutput(addon, sizeOf(inputShape));
  addon.conv2dBackwardData(f32(args.backend, dy), dy.shape as Dims4, f32(args.backend, filter), filter.shape as Dims4, dx, inputShape as Dims4, conv.geometry);
  return output(args.backend, [...inputShape], dx);
}

function backwardFilter(args: KernelArgs, addon: OnednnAddon): tf.TensorInfo | null {
  const { x, dy } = args.inputs;
  if (!isFloat32(x) || !isFloat32(dy)) return null;
  const filterShape = args.attrs.filterShape as number[];
  const conv = convGeometry(x.shape, filterShape, { ...(args.attrs as unknown as ConvAttrs), dilations: 1 });
  if (conv == null || !sameShape(dy.shape, conv.info.outShape)) return null;
  const dw = allocOutput(addon, sizeOf(filterShape));
  addon.conv2dBackwardWeights(f32(args.backend, x), x.shape as Dims4, f32(args.backend, dy), dy.shape as Dims4, dw, filterShape as Dims4, conv.geometry);
  return output(args.backend, [...filterShape], dw);
}

export function convKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [
    nativeOrCpu('Conv2D', addon, (args, a) => forward(args, a, false)),
    nativeOrCpu('FusedConv2D', addon, (args, a) => forward(args, a, true)),
    nativeOrCpu('Conv2DBackpropInput', addon, backwardData),
    nativeOrCpu('Conv2DBackpropFilter', addon, backwardFilter),
    { kernelName: CONV2D_RESIDUAL, backendName: ONEDNN, kernelFunc: (args) => residualForward(args as unknown as KernelArgs, addon) },
  ];
}
