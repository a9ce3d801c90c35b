/**
 * Conv2DBackpropInput for the wasm backend as ONE XNNPACK forward convolution (wasm's own
 * kernel is a scalar loop, ~10× slower):
 *
 *   dx = conv_valid( pad(dilate(dy, stride)), rot180(W) with ci/co swapped )
 *
 * dy is spread out by the stride (zeros between rows/cols) and framed so that output row r
 * sees dy row oh exactly when r = oh·sh + kh − padTop, the forward relation. With stride 1
 * and ordinary padding the frame is the convolution's own zero padding, so no copy is made.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type ConvBackpropAttrs } from './convGeometry.js';
import { conv2dStride1, release, view, zeros, type TensorInfo } from './wasmOps.js';

interface Args {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: ConvBackpropAttrs & { inputShape: [number, number, number, number] };
}

/** W[kh,kw,ci,co] → F[KH-1-kh, KW-1-kw, co, ci]. */
function flippedTransposedFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const { info } = zeros(backend, [kh, kw, co, ci]);
  const src = view(backend, filter);
  const dst = view(backend, info);
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      const s0 = (h * kw + w) * ci * co;
      const d0 = ((kh - 1 - h) * kw + (kw - 1 - w)) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o];
      }
    }
  }
  return info;
}

/** dy placed at rows top + oh·sh, cols left + ow·sw of a zero frame [n, rows, cols, co]. */
function spreadIntoFrame(
  backend: BackendWasm,
  dy: TensorInfo,
  rows: number,
  cols: number,
  sh: number,
  sw: number,
  top: number,
  left: number,
): TensorInfo {
  const [n, oh, ow, co] = dy.shape;
  const { info } = zeros(backend, [n, rows, cols, co]);
  const src = view(backend, dy);
  const dst = view(backend, info);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const r = top + y * sh;
      if (r < 0 || r >= rows) continue;
      for (let x = 0; x < ow; x++) {
        const c = left + x * sw;
        if (c < 0 || c >= cols) continue;
        const s = ((b * oh + y) * ow + x) * co;
        dst.set(src.subarray(s, s + co), ((b * rows + r) * cols + c) * co);
      }
    }
  }
  return info;
}

function conv2dBackpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, filter } = inputs;
  const info = forwardConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const { filterHeight: kh, filterWidth: kw, inHeight, inWidth, outHeight, outWidth } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  // Full-correlation frame: input rows [0, inHeight + kh - 1), dy row oh at top + oh·sh.
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const rows = inHeight + kh - 1;
  const cols = inWidth + kw - 1;
  const bottom = rows - top - (outHeight - 1) * sh - 1;
  const right = cols - left - (outWidth - 1) * sw - 1;

  const rotated = flippedTransposedFilter(backend, filter);
  let dx: TensorInfo;
  if (sh === 1 && sw === 1 && Math.min(top, left, bottom, right) >= 0) {
    dx = conv2dStride1(backend, dy, rotated, [[0, 0], [top, bottom], [left, right], [0, 0]]);
  } else {
    const framed = spreadIntoFrame(backend, dy, rows, cols, sh, sw, top, left);
    dx = conv2dStride1(backend, framed, rotated, [[0, 0], [0, 0], [0, 0], [0, 0]]);
    release(backend, framed);
  }
  release(backend, rotated);
  return dx;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
