import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { cholesky, choleskySolve } from '../../src/eval/cholesky.js';
import { minimizeLbfgs } from '../../src/eval/lbfgs.js';
import { trainLinearProbe } from '../../src/eval/linearProbe.js';
import { SoftmaxObjective } from '../../src/eval/softmaxObjective.js';
import { applyStandardizer, fitStandardizer } from '../../src/eval/standardize.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Strongly correlated columns (a shared factor plus a little noise each), like neighbouring pixels, and labels from a linear rule. */
function correlated(n: number, dim: number, classes: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const f = [rng.normal(), rng.normal()];
    for (let j = 0; j < dim; j++) data[i * dim + j] = f[j % 2] * (1 + j / dim) + 0.05 * rng.normal();
    labels[i] = Math.min(classes - 1, Math.max(0, Math.floor((f[0] + f[1] + 0.3 * rng.normal()) * 1.2 + classes / 2)));
  }
  const x = applyStandardizer(fitStandardizer({ data, n, dim }), { data, n, dim });
  return { x, labels };
}

describe('cholesky', () => {
  it('solves A X = B for several right-hand sides (checked by multiplying back)', () => {
    const rng = new Rng(4);
    const n = 7;
    const m = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n); // MᵀM + I: symmetric positive definite
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += m[k * n + i] * m[k * n + j];
      a[i * n + j] = s;
    }
    const b = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const x = Float64Array.from(b);
    choleskySolve(cholesky(a, n), n, x, 3);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k] * x[k * 3 + c];
      expect(s).toBeCloseTo(b[i * 3 + c], 9);
    }
    expect(() => cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('preconditioned L-BFGS on the probe objective', () => {
  it('reaches the same optimum as plain L-BFGS in fewer iterations on correlated features', () => {
    const { x, labels } = correlated(400, 12, 3, 5);
    const obj = new SoftmaxObjective(x, labels, 3);
    const lambda = 1e-3;
    const start = new Float64Array(obj.parameterCount);
    const opts = { maxIter: 3000, tol: 1e-12, gradTol: 1e-7 };
    const plain = minimizeLbfgs((p) => obj.evaluate(p, lambda), start, opts);
    const pre = minimizeLbfgs((p) => obj.evaluate(p, lambda), start, { ...opts, preconditioner: obj.preconditioner(lambda) });
    obj.dispose();
    expect(pre.value).toBeCloseTo(plain.value, 5);
    for (let i = 0; i < start.length; i++) expect(pre.x[i]).toBeCloseTo(plain.x[i], 1);
    expect(pre.iterations).toBeLessThan(plain.iterations);
  });

  it('the probe with and without it picks the same λ and predicts alike', () => {
    const { x, labels } = correlated(500, 12, 3, 6);
    const before = tf.memory().numTensors;
    const a = trainLinearProbe(x, labels, 3, { precondition: true, tol: 1e-9 });
    const b = trainLinearProbe(x, labels, 3, { precondition: false, tol: 1e-9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.lambda).toBe(b.lambda);
    expect(a.valTop1).toBeCloseTo(b.valTop1, 2);
  });
});
