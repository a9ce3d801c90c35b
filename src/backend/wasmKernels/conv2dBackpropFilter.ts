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
 *
 * A 1×1 strided conv without padding (ResNet's projection shortcut) only ever reads the strided
 * sub-grid of x: that grid is gathered straight into the [ci, oh, ow, n] layout and convolved
 * with dy, VALID — a quarter of the transpose, no dilated taps (~4× faster).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type ConvBackpropAttrs } from './convGeometry.js';
import { conv2dStride1, release, reshape, slice, transpose, view, type ExplicitPadding, type TensorInfo } from './wasmOps.js';

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
  if (kh === 1 && kw === 1 && top === 0 && left === 0 && (sh > 1 || sw > 1)) return pointwiseStrided(backend, x, dy, info);
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

function pointwiseStrided(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [n, height, width, ci] = x.shape;
  const { outHeight: oh, outWidth: ow, outChannels: co, strideHeight: sh, strideWidth: sw } = info;
  const grid = backend.makeOutput([ci, oh, ow, n], 'float32');
  const src = view(backend, x);
  const dst = view(backend, grid);
  const plane = oh * ow * n;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const s = ((b * height + i * sh) * width + j * sw) * ci;
        const d = (i * ow + j) * n + b;
        for (let c = 0; c < ci; c++) dst[c * plane + d] = src[s + c];
      }
    }
  }
  const dyT = reshape(transpose(backend, reshape(dy, [n, oh * ow, co]), [1, 0, 2]), [oh, ow, n, co]);
  const dw = conv2dStride1(backend, grid, dyT, [[0, 0], [0, 0], [0, 0], [0, 0]]);
  release(backend, grid, dyT);
  // [ci, 1, 1, co] and [1, 1, ci, co] are the same memory.
  return reshape(dw, [1, 1, ci, co]);
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};
