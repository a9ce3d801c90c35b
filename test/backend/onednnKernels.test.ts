import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { registerOnednnBackend } from '../../src/backend/onednn/index.js';
import { randomValues, relativeError, runKernelOn } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

type Operand = { values: Float32Array; shape: number[] };
const operand = (rng: Rng, shape: number[]): Operand => ({ values: randomValues(rng, shape.reduce((a, b) => a * b, 1)), shape });

async function agree(kernel: string, inputs: Record<string, Operand>, attrs: Record<string, unknown> = {}, tolerance = 1e-5) {
  const want = await runKernelOn('cpu', kernel, inputs, attrs);
  const before = tf.memory().numTensors;
  const got = await runKernelOn('onednn', kernel, inputs, attrs);
  expect(tf.memory().numTensors).toBe(before);
  expect(got.shape).toEqual(want.shape);
  expect(relativeError(got.values, want.values)).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!onednnAvailable('onednnKernels.test.ts'))('onednn matmul, elementwise and relu kernels', () => {
  beforeAll(() => {
    registerOnednnBackend();
  });

  const MATMUL: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[1, 1], [1, 9], false, false],
    [[4, 5, 6], [4, 6, 2], false, false],
    [[4, 6, 5], [4, 2, 6], true, true],
    [[1, 5, 6], [3, 6, 2], false, false], // batch of 1 broadcasts
    [[3, 5, 6], [6, 2], false, false], // rank-2 side broadcasts
    [[2, 3, 5, 6], [2, 3, 6, 4], false, false],
    [[64, 33], [64, 33], false, true], // NT-Xent's similarity shape, odd sizes
  ];
  for (const [i, [sa, sb, transposeA, transposeB]] of MATMUL.entries()) {
    it(`BatchMatMul [${sa}]${transposeA ? 'ᵀ' : ''} · [${sb}]${transposeB ? 'ᵀ' : ''} matches the cpu backend`, async () => {
      const rng = Rng.derive(61, i);
      await agree('BatchMatMul', { a: operand(rng, sa), b: operand(rng, sb) }, { transposeA, transposeB });
    });
  }

  for (const activation of ['linear', 'relu', 'elu']) {
    it(`_FusedMatMul with bias and ${activation} matches the cpu backend`, async () => {
      const rng = Rng.derive(62, 0);
      await agree('_FusedMatMul', { a: operand(rng, [9, 13]), b: operand(rng, [13, 6]), bias: operand(rng, [6]) }, { transposeA: false, transposeB: false, activation });
    });
  }

  const BINARY: [number[], number[]][] = [
    [[4, 5, 3], [4, 5, 3]], [[7], [1]], [[], [3, 2]], [[], []], [[1, 1], [6, 5]], [[3, 1], [1, 4]], [[2, 3], [3]],
    [[70000], [70000]], [[6, 1, 1, 5], [6, 3, 4, 5]], [[6, 3, 4, 5], [5]], [[2, 1, 3, 1, 2, 1], [1, 4, 1, 2, 1, 3]],
  ];
  for (const kernel of ['Add', 'Sub', 'Multiply']) {
    for (const [i, [sa, sb]] of BINARY.entries()) {
      it(`${kernel} [${sa}] and [${sb}] matches the cpu backend`, async () => {
        const rng = Rng.derive(63, i);
        await agree(kernel, { a: operand(rng, sa), b: operand(rng, sb) });
      });
    }
  }

  const REDUCE: [number[], number | number[], boolean][] = [
    [[6, 5, 4, 3], [0, 1, 2], false], // per-channel sums (bias, BN gradients)
    [[6, 5, 4, 3], [1, 2], false], // global average pooling
    [[6, 5, 4, 3], [1, 2], true],
    [[7, 9], 0, false],
    [[7, 9], 1, true],
    [[7, 9], [0, 1], false], // a loss
    [[3, 1, 5], [-1], false],
    [[5], 0, false],
    [[2, 3, 2, 3, 2, 3], [0, 2, 4], false],
    [[4, 1, 3], 1, false], // only an axis of extent 1: a copy
    [[4, 3], [], false],
  ];
  for (const kernel of ['Sum', 'Mean']) {
    for (const [i, [shape, axis, keepDims]] of REDUCE.entries()) {
      it(`${kernel} of [${shape}] over ${JSON.stringify(axis)}${keepDims ? ' (keepDims)' : ''} matches the cpu backend`, async () => {
        await agree(kernel, { x: operand(Rng.derive(65, i), shape) }, { axis, keepDims });
      });
    }
  }

  it('Sum of a bool tensor still works (cpu kernel)', async () => {
    await tf.setBackend('onednn');
    const s = tf.sum(tf.tensor([true, false, true], [3], 'bool'));
    expect(await s.data()).toEqual(new Int32Array([2]));
    s.dispose();
  });

  for (const [i, [sa, sb]] of BINARY.entries()) {
    it(`Pow of |[${sa}]| by [${sb}] matches the cpu backend`, async () => {
      const rng = Rng.derive(66, i);
      const a = operand(rng, sa);
      a.values = a.values.map(Math.abs);
      await agree('Pow', { a, b: operand(rng, sb) }, {}, 1e-6);
    });
  }

  it('Pow by 2 and 3 of negative bases matches the cpu backend', async () => {
    const rng = Rng.derive(67, 0);
    for (const e of [2, 3]) await agree('Pow', { a: operand(rng, [5, 7]), b: { values: new Float32Array([e]), shape: [] } }, {}, 1e-7);
  });

  for (const kernel of ['Abs', 'Square', 'Neg', 'Sqrt']) {
    it(`${kernel} matches the cpu backend exactly`, async () => {
      const x = operand(Rng.derive(68, 0), [3, 70001]);
      if (kernel === 'Sqrt') x.values = x.values.map(Math.abs);
      await agree(kernel, { x }, {}, 0);
    });
  }

  it('Add of int32 tensors still works (cpu kernel)', async () => {
    await tf.setBackend('onednn');
    const s = tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4, 5, 6], [3], 'int32'));
    expect(s.dtype).toBe('int32');
    expect(Array.from(await s.data())).toEqual([5, 7, 9]);
    s.dispose();
  });

  for (const shape of [[5, 6, 7, 3], [100000]]) {
    it(`Relu and its gradient match the cpu backend: [${shape}]`, async () => {
      const rng = Rng.derive(64, shape.length);
      const x = operand(rng, shape);
      const dy = operand(rng, shape);
      await agree('Relu', { x });
      const grad = async (backend: string) => {
        await tf.setBackend(backend);
        const xt = tf.tensor(x.values, shape);
        const dyt = tf.tensor(dy.values, shape);
        const g = tf.grad((t: tf.Tensor) => tf.relu(t))(xt, dyt);
        const values = (await g.data()) as Float32Array;
        tf.dispose([xt, dyt, g]);
        return values;
      };
      const want = await grad('cpu');
      const before = tf.memory().numTensors;
      // Bit for bit, −0 (negative dy where x ≤ 0) included.
      expect(Array.from(await grad('onednn')).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(want).map((v) => Object.is(v, -0) ? '-0' : v));
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
