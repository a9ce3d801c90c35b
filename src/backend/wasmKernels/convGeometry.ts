import * as tf from '@tensorflow/tfjs';

type ConvPad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

export interface ConvBackpropAttrs {
  strides: [number, number] | number;
  pad: ConvPad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** The forward convolution's geometry (pads exactly as tfjs computes them), NHWC only. */
export function forwardConvInfo(
  kernel: string,
  xShape: number[],
  filterShape: number[],
  attrs: ConvBackpropAttrs,
): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only, got 'NCHW'`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}
