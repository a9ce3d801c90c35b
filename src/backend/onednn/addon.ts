/**
 * Loads the oneDNN addon (native/, built by `npm install` when oneDNN's headers are found).
 * Its functions write into output buffers the caller allocates and check every buffer's length
 * against the dims they are given; callers still validate first, so the native side only ever
 * sees shapes it supports.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type F32 = Float32Array;
/** [strideH, strideW, dilationH, dilationW, padTop, padLeft, padBottom, padRight] (TF.js dilation: 1 = none). */
export type ConvGeometry = [number, number, number, number, number, number, number, number];
export type Dims4 = [number, number, number, number];
/** [strideH, strideW, padTop, padLeft, padBottom, padRight]. */
export type PoolGeometry = [number, number, number, number, number, number];

export interface OnednnAddon {
  version(): string;
  setThreads(n: number): void;
  getThreads(): number;
  /** n uninitialised floats from the addon's pool of reused blocks. */
  allocFloat32(n: number): Float32Array;
  /** Gives an allocFloat32 array's block back now (the array must be unreachable); others are ignored. */
  releaseFloat32(array: Float32Array): void;
  poolStats(): { pooledBytes: number; liveBytes: number };
  /** y = act(conv(x, w) + bias + residual); bias per output channel, residual of y's dims (not y itself); each optional. */
  conv2dForward(x: F32, xDims: Dims4, w: F32, wDims: Dims4, bias: F32 | null, residual: F32 | null, y: F32, yDims: Dims4, g: ConvGeometry, relu: boolean): void;
  conv2dBackwardData(dy: F32, dyDims: Dims4, w: F32, wDims: Dims4, dx: F32, dxDims: Dims4, g: ConvGeometry): void;
  conv2dBackwardWeights(x: F32, xDims: Dims4, dy: F32, dyDims: Dims4, dw: F32, wDims: Dims4, g: ConvGeometry): void;
  /** dims [n, h, w, c]; writes y and the batch mean and (biased) variance. */
  batchNormForward(x: F32, dims: Dims4, gamma: F32, beta: F32, y: F32, mean: F32, variance: F32, epsilon: number): void;
  batchNormBackward(x: F32, dims: Dims4, dy: F32, gamma: F32, mean: F32, variance: F32, dx: F32, dgamma: F32, dbeta: F32, epsilon: number): void;
  /** y = offset + (x − mean)·scale/√(variance + ε) per channel of the last axis (offset 0, scale 1 when null). */
  batchNormInference(x: F32, channels: number, mean: F32, variance: F32, offset: F32 | null, scale: F32 | null, epsilon: number, y: F32): void;
  reluForward(x: F32, y: F32): void;
  /** dx = x > 0 ? dy : 0. */
  reluGrad(x: F32, dy: F32, dx: F32): void;
  /** out = a op b (0 add, 1 subtract, 2 multiply, 3 power), broadcasting; dims of one rank (1–6). */
  binary(op: number, a: F32, aDims: number[], b: F32, bDims: number[], out: F32, outDims: number[]): void;
  /** out = op(x): 0 abs, 1 square, 2 negate, 3 sqrt. */
  unary(op: number, x: F32, out: F32): void;
  /** Sum (op 0) or mean (op 1) over the axes flagged 1 in `reduced`; x row-major of `dims` (rank 1–6). */
  reduce(op: number, x: F32, dims: number[], reduced: number[], out: F32): void;
  /** kind 0 max, 1 average (padding excluded from the count); window [kh, kw]; every pad below the window's size. */
  pool2dForward(kind: number, x: F32, xDims: Dims4, y: F32, yDims: Dims4, window: [number, number], g: PoolGeometry): void;
  /** dx from dy; x is read by max pooling only (null allowed for average). */
  pool2dBackward(kind: number, x: F32 | null, xDims: Dims4, dy: F32, dyDims: Dims4, dx: F32, window: [number, number], g: PoolGeometry): void;
  /** dims [batchA, batchB, m, k, n]; c[batch, m, n] = op(a)·op(b) (+ bias) (relu). */
  matmul(a: F32, b: F32, bias: F32 | null, c: F32, dims: [number, number, number, number, number], transposeA: boolean, transposeB: boolean, relu: boolean): void;
}

export const ADDON_FILE = join('native', 'build', 'Release', 'onednn.node');

export const ONEDNN_INSTALL_HINT =
  'install oneDNN (Debian/Ubuntu: `apt-get install libdnnl-dev`; macOS: `brew install onednn`) and run `npm rebuild`';

/** The addon's path, found by walking up from this file (src/… in tests, dist/src/… when built). */
export function addonPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

let loaded: OnednnAddon | undefined;

/** The addon, or an Error whose message is one line saying why it is unavailable. */
export function loadAddon(): OnednnAddon | Error {
  if (loaded) return loaded;
  const path = addonPath();
  if (path === undefined) return new Error(`the oneDNN addon is not built: ${ONEDNN_INSTALL_HINT}`);
  // OpenMP's default spin-waiting at barriers collapses throughput whenever another process
  // takes a core (the augmentation worker, anything else running): measured 31.9 → 119 images/s
  // under load and no loss on an idle machine (bench/README.md). libgomp reads this once, when
  // the addon loads it; a user's own setting wins.
  process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  try {
    loaded = createRequire(import.meta.url)(path) as OnednnAddon;
    return loaded;
  } catch (err) {
    const reason = String((err as Error)?.message ?? err).split('\n')[0];
    return new Error(`the oneDNN addon failed to load (${reason}): ${ONEDNN_INSTALL_HINT}`);
  }
}

/** Whether the addon is built and loads (for skipping native tests). */
export function addonAvailable(): boolean {
  return !(loadAddon() instanceof Error);
}
