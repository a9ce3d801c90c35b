/**
 * Conv2DBackpropFilter for the wasm backend (which has none), as ONE forward convolution:
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xPad[n, oh·sh+kh, ow·sw+kw, ci] · dy[n,oh,ow,co]
 *
 * is a stride-1 convolution whose "batch" is ci, "channels" are n, input is x as
 * [ci,H,W,n] and filter is dy as [oh,ow,n,co] dilated by the forward stride. The result
 * [ci,kh',kw',co] (kh' ≥ kh when trailing input rows never reach an output) is cropped to
 * kh×kw and transposed to [kh,kw,ci,co]. XNNPACK runs this ~10× faster than a loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type ConvBackpropAttrs } from './convGeometry.js';
import { conv2dStride1, release, slice, transpose, type TensorInfo } from './wasmOps.js';

interface Args {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: ConvBackpropAttrs & { filterShape: [number, number, number, number] };
}

function conv2dBackpropFilter({ inputs, backend, attrs }: Args): TensorInfo {
  const { x, dy } = inputs;
  const info = forwardConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  const { filterHeight: kh, filterWidth: kw, inChannels: ci, outChannels: co } = info;
  const { inHeight, inWidth, outHeight, outWidth, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  // Pad bottom/right only as far as the last filter tap of the last output reaches.
  const bottom = Math.max(0, (outHeight - 1) * sh + kh - top - inHeight);
  const right = Math.max(0, (outWidth - 1) * sw + kw - left - inWidth);

  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const full = conv2dStride1(backend, xT, dyT, [[0, 0], [top, bottom], [left, right], [0, 0]], [sh, sw]);
  release(backend, xT, dyT);

  let cropped = full;
  if (full.shape[1] !== kh || full.shape[2] !== kw) {
    cropped = slice(backend, full, [0, 0, 0, 0], [ci, kh, kw, co]);
    release(backend, full);
  }
  const dw = transpose(backend, cropped, [1, 2, 0, 3]);
  release(backend, cropped);
  return dw;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
