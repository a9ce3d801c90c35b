import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { registerOnednnBackend } from '../../src/backend/onednn/index.js';
import { poolGeometry } from '../../src/backend/onednn/pool.js';
import { randomValues, relativeError, runKernelOn } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

interface PoolCase {
  shape: [number, number, number, number];
  filterSize: [number, number];
  strides: [number, number];
  pad: 'valid' | 'same' | number;
}

const name = (c: PoolCase) => `x ${c.shape.join('×')}, window ${c.filterSize.join('×')}, stride ${c.strides.join(',')}, pad ${c.pad}`;

// The ResNet stem's pool, odd sizes, batch 1, non-square windows and strides, strides above the window.
const FIXED: PoolCase[] = [
  { shape: [2, 16, 16, 8], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
  { shape: [1, 7, 5, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
  { shape: [3, 9, 11, 2], filterSize: [3, 2], strides: [1, 2], pad: 'same' },
  { shape: [1, 4, 4, 5], filterSize: [4, 4], strides: [1, 1], pad: 'valid' },
  { shape: [2, 10, 7, 4], filterSize: [2, 3], strides: [3, 3], pad: 'valid' },
  { shape: [2, 6, 6, 3], filterSize: [3, 3], strides: [1, 1], pad: 1 },
];

function randomCases(seed: number, count: number): PoolCase[] {
  const rng = new Rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
  return Array.from({ length: count }, () => {
    const filterSize: [number, number] = [int(1, 4), int(1, 4)];
    const shape: [number, number, number, number] = [int(1, 3), int(filterSize[0], 12), int(filterSize[1], 12), int(1, 9)];
    return { shape, filterSize, strides: [int(1, 3), int(1, 3)], pad: rng.next() < 0.5 ? 'same' : 'valid' };
  });
}

const CASES = [...FIXED, ...randomCases(41, 12)];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function outShapeOf(c: PoolCase): number[] {
  return tf.backend_util.computePool2DInfo(c.shape, c.filterSize, c.strides, 1, c.pad, undefined, 'channelsLast').outShape;
}

/**
 * Average pooling's gradient by a plain loop over output positions: each dy spread evenly over
 * the real pixels under its window (the gradient of TF.js's forward, which excludes padding).
 */
function avgPoolGradLoop(c: PoolCase, dy: Float32Array): Float32Array {
  const info = tf.backend_util.computePool2DInfo(c.shape, c.filterSize, c.strides, 1, c.pad, undefined, 'channelsLast');
  const [n, h, w, ch] = c.shape;
  const dx = new Float32Array(size(c.shape));
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < info.outHeight; oy++) {
      for (let ox = 0; ox < info.outWidth; ox++) {
        const y0 = oy * info.strideHeight - info.padInfo.top;
        const x0 = ox * info.strideWidth - info.padInfo.left;
        const rows = [];
        const cols = [];
        for (let r = Math.max(0, y0); r < Math.min(h, y0 + info.filterHeight); r++) rows.push(r);
        for (let q = Math.max(0, x0); q < Math.min(w, x0 + info.filterWidth); q++) cols.push(q);
        const count = rows.length * cols.length;
        for (let k = 0; k < ch; k++) {
          const g = dy[((b * info.outHeight + oy) * info.outWidth + ox) * ch + k] / count;
          for (const r of rows) for (const q of cols) dx[((b * h + r) * w + q) * ch + k] += g;
        }
      }
    }
  }
  return dx;
}

describe.skipIf(!onednnAvailable('onednnPool.test.ts'))('onednn pooling', () => {
  beforeAll(() => {
    registerOnednnBackend();
  });

  for (const [i, c] of CASES.entries()) {
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    it(`runs natively and matches the cpu backend: ${name(c)}`, async () => {
      expect(poolGeometry(c.shape, attrs)).not.toBeNull();
      const x = { values: randomValues(Rng.derive(42, i), size(c.shape)), shape: c.shape };
      const dy = { values: randomValues(Rng.derive(43, i), size(outShapeOf(c))), shape: outShapeOf(c) };
      for (const kernel of ['MaxPool', 'AvgPool']) {
        const want = await runKernelOn('cpu', kernel, { x }, attrs);
        const before = tf.memory().numTensors;
        const got = await runKernelOn('onednn', kernel, { x }, attrs);
        expect(tf.memory().numTensors).toBe(before);
        expect(got.shape, kernel).toEqual(want.shape);
        expect(relativeError(got.values, want.values), kernel).toBeLessThan(1e-6);
      }
      const y = await runKernelOn('cpu', 'MaxPool', { x }, attrs);
      const wantMax = await runKernelOn('cpu', 'MaxPoolGrad', { dy, input: x, output: y }, attrs);
      const gotMax = await runKernelOn('onednn', 'MaxPoolGrad', { dy, input: x, output: y }, attrs);
      expect(gotMax.shape).toEqual(c.shape);
      expect(relativeError(gotMax.values, wantMax.values), 'MaxPoolGrad').toBeLessThan(1e-6);
      const gotAvg = await runKernelOn('onednn', 'AvgPoolGrad', { dy, input: x }, attrs);
      expect(gotAvg.shape).toEqual(c.shape);
      expect(relativeError(gotAvg.values, avgPoolGradLoop(c, dy.values)), 'AvgPoolGrad').toBeLessThan(1e-5);
    });
  }

  it("agrees with the cpu backend's AvgPoolGrad wherever no padding is applied", async () => {
    const c: PoolCase = { shape: [2, 9, 8, 3], filterSize: [3, 2], strides: [2, 2], pad: 'valid' };
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    const x = { values: randomValues(Rng.derive(44, 0), size(c.shape)), shape: c.shape };
    const dy = { values: randomValues(Rng.derive(44, 1), size(outShapeOf(c))), shape: outShapeOf(c) };
    const want = await runKernelOn('cpu', 'AvgPoolGrad', { dy, input: x }, attrs);
    const got = await runKernelOn('onednn', 'AvgPoolGrad', { dy, input: x }, attrs);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
  });

  it('sends each gradient to the first maximum on ties, as the cpu backend does (ReLU output: windows of zeros)', async () => {
    const c: PoolCase = { shape: [2, 12, 12, 4], filterSize: [3, 3], strides: [2, 2], pad: 'same' };
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    const values = randomValues(Rng.derive(45, 0), size(c.shape)).map((v) => Math.max(0, v - 0.5));
    const x = { values, shape: c.shape };
    const dy = { values: randomValues(Rng.derive(45, 1), size(outShapeOf(c))), shape: outShapeOf(c) };
    const y = await runKernelOn('cpu', 'MaxPool', { x }, attrs);
    const want = await runKernelOn('cpu', 'MaxPoolGrad', { dy, input: x, output: y }, attrs);
    const got = await runKernelOn('onednn', 'MaxPoolGrad', { dy, input: x, output: y }, attrs);
    // Overlapping windows sum their gradients in another order: equal up to rounding.
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
    expect(got.values.filter((v) => v !== 0).length).toBe(want.values.filter((v) => v !== 0).length);
  });

  for (const pool of ['max', 'avg'] as const) {
    it(`${pool} pooling's gradient through tf.grad matches central finite differences`, async () => {
      await tf.setBackend('onednn');
      const shape: [number, number, number, number] = [1, 5, 6, 2];
      // Distinct values 0.02 apart, so a step of 1e-3 never changes which pixel is a maximum.
      const order = randomValues(Rng.derive(46, 0), size(shape));
      const ranks = Array.from(order.keys()).sort((a, b) => order[a] - order[b]);
      const xv = new Float32Array(size(shape));
      ranks.forEach((idx, rank) => (xv[idx] = rank * 0.02 - 0.5));
      const f = (x: tf.Tensor4D) => (pool === 'max' ? tf.maxPool(x, 3, 2, 'same') : tf.avgPool(x, 3, 2, 'same'));
      const before = tf.memory().numTensors;
      const weights = tf.tensor(randomValues(Rng.derive(46, 1), 3 * 3 * 2), [1, 3, 3, 2]);
      const loss = (x: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor4D), weights)) as tf.Scalar;
      const lossAt = (v: Float32Array) => tf.tidy(() => loss(tf.tensor4d(v, shape)).dataSync()[0]);
      const analytic = tf.tidy(() => tf.grad(loss)(tf.tensor4d(xv, shape)).dataSync() as Float32Array);
      const eps = 1e-3;
      for (let i = 0; i < xv.length; i++) {
        const plus = xv.slice();
        const minus = xv.slice();
        plus[i] += eps;
        minus[i] -= eps;
        expect(analytic[i]).toBeCloseTo((lossAt(plus) - lossAt(minus)) / (2 * eps), 2);
      }
      weights.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('falls back to the cpu kernel where a window would lie wholly in the padding', async () => {
    const c: PoolCase = { shape: [1, 5, 5, 2], filterSize: [2, 2], strides: [1, 1], pad: 2 };
    const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad };
    expect(poolGeometry(c.shape, attrs)).toBeNull();
    const x = { values: randomValues(Rng.derive(47, 0), size(c.shape)), shape: c.shape };
    const want = await runKernelOn('cpu', 'MaxPool', { x }, attrs);
    const got = await runKernelOn('onednn', 'MaxPool', { x }, attrs);
    expect(Array.from(got.values)).toEqual(Array.from(want.values));
  });
});
