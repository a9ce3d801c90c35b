import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { FAST_PATH_KERNELS } from '../../src/backend/wasmKernels/fastPaths.js';
import { randomValues, relativeError, runKernelOn, useWasm } from './helpers.js';

beforeAll(useWasm);

interface ReduceCase {
  shape: number[];
  axis: number[];
  keepDims: boolean;
}

/** Leading-axes reductions (the fast path) on odd sizes, and other axes (the stock kernel). */
function reduceCases(): ReduceCase[] {
  const rng = Rng.derive(4, 1);
  const cases: ReduceCase[] = [
    { shape: [5, 7, 3, 6], axis: [0, 1, 2], keepDims: true },
    { shape: [9, 5], axis: [0], keepDims: false },
    { shape: [1, 1, 1, 4], axis: [0, 1, 2], keepDims: false },
    { shape: [3, 4, 5], axis: [1, 0], keepDims: false },
    { shape: [3, 4, 5, 2], axis: [1, 2], keepDims: true },
    { shape: [3, 4, 5], axis: [2], keepDims: false },
    { shape: [3, 4, 5], axis: [0, 1, 2], keepDims: false },
  ];
  for (let i = 0; i < 12; i++) {
    const rank = 2 + rng.int(3);
    const shape = Array.from({ length: rank }, () => 1 + rng.int(11));
    const k = 1 + rng.int(rank - 1);
    cases.push({ shape, axis: Array.from({ length: k }, (_, a) => a), keepDims: rng.bernoulli(0.5) });
  }
  return cases;
}

describe('Sum/Mean fast path on wasm matches the cpu backend', () => {
  const rng = Rng.derive(4, 2);
  for (const kernel of ['Sum', 'Mean']) {
    for (const c of reduceCases()) {
      it(`${kernel} [${c.shape}] axis [${c.axis}] keepDims ${c.keepDims}`, async () => {
        const x = { values: randomValues(rng, c.shape.reduce((a, b) => a * b, 1)), shape: c.shape };
        const attrs = { axis: c.axis, keepDims: c.keepDims };
        const expected = await runKernelOn('cpu', kernel, { x }, attrs);
        const actual = await runKernelOn('wasm', kernel, { x }, attrs);
        expect(actual.shape).toEqual(expected.shape);
        expect(relativeError(actual.values, expected.values)).toBeLessThan(1e-5);
      });
    }
  }
});

describe('copy-free Identity and same-dtype Cast', () => {
  it('share the buffer: the copy outlives the original, and nothing leaks', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const copy = tf.clone(x);
    const cast = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3, 4]);
    copy.dispose();
    expect(Array.from(await cast.data())).toEqual([1, 2, 3, 4]);
    cast.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a cast to another dtype still converts', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.7, -2.2, 0]);
    const y = tf.cast(x, 'int32');
    expect(y.dtype).toBe('int32');
    expect(Array.from(await y.data())).toEqual([1, -2, 0]);
    tf.dispose([x, y]);
  });

  it('are registered on wasm', () => {
    for (const name of FAST_PATH_KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });
});
