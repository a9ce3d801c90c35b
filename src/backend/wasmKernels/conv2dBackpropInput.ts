/**
 * Conv2DBackpropInput for the wasm backend as XNNPACK forward convolutions (wasm's own kernel
 * is a scalar loop, ~10× slower). The forward relation is r = oh·s + k − padTop between input
 * row r, output row oh and filter tap k, so
 *
 *   dx[r] = Σ_{k, oh : oh·s + k = r + padTop} dy[oh] · Wᵀ[k]
 *
 * Rows r with (r + padTop) mod s = p only meet taps k ≡ p (mod s): each of the s×s phases is
 * a stride-1 convolution of dy with that phase's taps, flipped and with ci/co swapped, and the
 * phases interleave into dx. Stride 1 is one phase that is dx itself. Unlike convolving a
 * zero-dilated dy, no multiply-by-zero is done. Explicit pads wider than the filter, which no
 * phase covers with non-negative padding, take the dilated route instead.
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

/** One phase along one axis: its filter taps, where its rows land in dx, and dy's padding. */
interface AxisPhase {
  taps: number[];
  firstRow: number;
  rows: number;
  padBefore: number;
  padAfter: number;
}

function axisPhases(inSize: number, outSize: number, k: number, s: number, padTop: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let p = 0; p < s; p++) {
    // q indexes this phase's dx rows r = q·s + p − padTop, for r in [0, inSize).
    const qFirst = Math.ceil((padTop - p) / s);
    const rows = Math.floor((inSize - 1 + padTop - p) / s) - qFirst + 1;
    if (rows <= 0) continue;
    const taps: number[] = [];
    for (let t = p; t < k; t += s) taps.push(t);
    // dx_p[q] = Σ_j dy[q − j] W[taps[j]]: a correlation over dy rows q − (J−1) … q.
    const padBefore = taps.length - 1 - qFirst;
    const padAfter = rows + taps.length - 1 - padBefore - outSize;
    phases.push({ taps, firstRow: qFirst * s + p - padTop, rows, padBefore, padAfter });
  }
  return phases;
}

/** F[i, j, co, ci] = W[rowTaps[last − i], colTaps[last − j], ci, co]: flipped, ci/co swapped. */
function phaseFilter(backend: BackendWasm, filter: TensorInfo, rowTaps: number[], colTaps: number[]): TensorInfo {
  const [, kw, ci, co] = filter.shape;
  const fh = rowTaps.length;
  const fw = colTaps.length;
  const { info } = zeros(backend, [fh, fw, co, ci]);
  const src = view(backend, filter);
  const dst = view(backend, info);
  for (let i = 0; i < fh; i++) {
    for (let j = 0; j < fw; j++) {
      const s0 = (rowTaps[fh - 1 - i] * kw + colTaps[fw - 1 - j]) * ci * co;
      const d0 = (i * fw + j) * co * ci;
      for (let c = 0; c < ci; c++) {
        for (let o = 0; o < co; o++) dst[d0 + o * ci + c] = src[s0 + c * co + o];
      }
    }
  }
  return info;
}

/** Copies `part` [n, rows, cols, c] into dx at rows firstRow + i·sh, cols firstCol + j·sw. */
function interleave(backend: BackendWasm, dx: TensorInfo, part: TensorInfo, rh: AxisPhase, rw: AxisPhase, sh: number, sw: number): void {
  const [n, height, width, c] = dx.shape;
  const dst = view(backend, dx);
  const src = view(backend, part);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < rh.rows; i++) {
      const rowBase = (b * height + rh.firstRow + i * sh) * width;
      for (let j = 0; j < rw.rows; j++) {
        const s = ((b * rh.rows + i) * rw.rows + j) * c;
        dst.set(src.subarray(s, s + c), (rowBase + rw.firstRow + j * sw) * c);
      }
    }
  }
}

/** The general route: dy spread out by the stride into a zero frame, one VALID convolution. */
function viaDilatedDy(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const [n, oh, ow, co] = dy.shape;
  const rows = info.inHeight + kh - 1;
  const cols = info.inWidth + kw - 1;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const { info: framed } = zeros(backend, [n, rows, cols, co]);
  const src = view(backend, dy);
  const dst = view(backend, framed);
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
  const range = (k: number) => Array.from({ length: k }, (_, i) => i);
  const rotated = phaseFilter(backend, filter, range(kh), range(kw));
  const dx = conv2dStride1(backend, framed, rotated, [[0, 0], [0, 0], [0, 0], [0, 0]]);
  release(backend, framed, rotated);
  return dx;
}

function conv2dBackpropInput({ inputs, backend, attrs }: Args): TensorInfo {
  const { dy, filter } = inputs;
  const info = forwardConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  const { strideHeight: sh, strideWidth: sw } = info;
  const rowPhases = axisPhases(info.inHeight, info.outHeight, info.filterHeight, sh, info.padInfo.top);
  const colPhases = axisPhases(info.inWidth, info.outWidth, info.filterWidth, sw, info.padInfo.left);
  const all = [...rowPhases, ...colPhases];
  if (all.some((p) => p.padBefore < 0 || p.padAfter < 0)) return viaDilatedDy(backend, dy, filter, info);

  const convolve = (rh: AxisPhase, rw: AxisPhase): TensorInfo => {
    const f = phaseFilter(backend, filter, rh.taps, rw.taps);
    const out = conv2dStride1(backend, dy, f, [[0, 0], [rh.padBefore, rh.padAfter], [rw.padBefore, rw.padAfter], [0, 0]]);
    release(backend, f);
    return out;
  };
  if (sh === 1 && sw === 1) return convolve(rowPhases[0], colPhases[0]);

  const dx = zeros(backend, info.inShape).info;
  for (const rh of rowPhases) {
    for (const rw of colPhases) {
      if (rh.taps.length === 0 || rw.taps.length === 0) continue; // rows no tap reaches: dx = 0
      const part = convolve(rh, rw);
      interleave(backend, dx, part, rh, rw, sh, sw);
      release(backend, part);
    }
  }
  return dx;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput as unknown as tf.KernelFunc,
};
