/**
 * Conv2DBackpropFilter for the wasm backend (which has none), as ONE forward convolution:
 *
 *   dW[kh,kw,ci,co] = Σ_{n,oh,ow} xPad[n, oh·sh+kh, ow·sw+kw, ci] · dy[n,oh,ow,co]
 *
 * is a stride-1 convolution whose "batch" is ci, "channels" are n, input is x as
 * [ci,H,W,n] and filter is dy as [oh,ow,n,co] dilated by the forward stride. The result
 * [ci,kh,kw,co] is transposed to [kh,kw,ci,co]. Input rows no output reaches (e.g. the last
 * row of an even-sized input under a 1×1 stride-2 conv) are cropped first, so no work is
 * wasted. XNNPACK runs this several times faster than a scalar loop.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type ConvBackpropAttrs } from './convGeometry.js';
import { conv2dStride1, release, reshape, slice, transpose, type ExplicitPadding, type TensorInfo } from './wasmOps.js';

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
  // Input rows/cols up to the last output's last tap: pad up to them, or drop those beyond.
  const rows = (outHeight - 1) * sh + kh - top;
  const cols = (outWidth - 1) * sw + kw - left;
  const usedRows = Math.min(inHeight, rows);
  const usedCols = Math.min(inWidth, cols);

  // As 3-D transposes ([n,HW,ci] → [ci,HW,n]; [n,OHW,co] → [OHW,n,co]): faster on wasm than 4-D.
  let xT = transpose(backend, reshape(x, [x.shape[0], inHeight * inWidth, ci]), [2, 1, 0]);
  xT = reshape(xT, [ci, inHeight, inWidth, x.shape[0]]);
  if (usedRows < inHeight || usedCols < inWidth) {
    const all = xT;
    xT = slice(backend, all, [0, 0, 0, 0], [ci, usedRows, usedCols, x.shape[0]]);
    release(backend, all);
  }
  const dyT = reshape(
    transpose(backend, reshape(dy, [dy.shape[0], outHeight * outWidth, co]), [1, 0, 2]),
    [outHeight, outWidth, dy.shape[0], co],
  );
  // Padded extent top + rows = (outHeight-1)·sh + kh, so the output is exactly [ci,kh,kw,co].
  const pad: ExplicitPadding = [[0, 0], [top, rows - usedRows], [left, cols - usedCols], [0, 0]];
  const dwT = conv2dStride1(backend, xT, dyT, pad, [sh, sw]);
  release(backend, xT, dyT);
  const dw = transpose(backend, dwT, [1, 2, 0, 3]);
  release(backend, dwT);
  return dw;
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
