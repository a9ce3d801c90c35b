import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandWeights, groupEqualColumns, mergeColumns, standardizeMerged } from '../../src/eval/equalColumns.js';
import { applyStandardizer, fitStandardizer } from '../../src/eval/standardize.js';
import type { Features } from '../../src/eval/features.js';
import { trainLinearProbe } from '../../src/eval/linearProbe.js';
import { SoftmaxObjective } from '../../src/eval/softmaxObjective.js';
import { Rng } from '../../augment/rng.js';
import { gaussianBlobs } from './synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Columns [a, b, a, 0, b, a, c] of three random columns a, b, c: the shape of RGB copies of gray pixels plus a dead pixel. */
function withCopies(base: Features): { x: Features; layout: number[] } {
  const layout = [0, 1, 0, -1, 1, 0, 2];
  const data = new Float32Array(base.n * layout.length);
  for (let i = 0; i < base.n; i++) layout.forEach((c, j) => (data[i * layout.length + j] = c < 0 ? 0 : base.data[i * base.dim + c]));
  return { x: { data, n: base.n, dim: layout.length }, layout };
}

describe('equal columns', () => {
  it('groups exact copies, leaves all-zero columns out, and keeps columns that differ in one value apart', () => {
    const rng = new Rng(1);
    const base = { data: Float32Array.from({ length: 40 * 3 }, () => rng.normal()), n: 40, dim: 3 };
    const { x } = withCopies(base);
    const g = groupEqualColumns(x);
    expect(Array.from(g.representative)).toEqual([0, 1, 6]);
    expect(Array.from(g.size)).toEqual([3, 2, 1]);
    expect(Array.from(g.groupOf)).toEqual([0, 1, 0, -1, 1, 0, 2]);
    x.data[5 * 7 + 2] += 1e-3; // column 2 no longer equals column 0
    expect(Array.from(groupEqualColumns(x).groupOf)).toEqual([0, 1, 2, -1, 1, 0, 3]);
  });

  it('on raw features: constant columns dropped, and standardise + merge in one pass gives the two-step values', () => {
    const rng = new Rng(5);
    const base = { data: Float32Array.from({ length: 50 * 3 }, () => 3 + rng.normal()), n: 50, dim: 3 };
    const { x } = withCopies(base);
    for (let i = 0; i < x.n; i++) x.data[i * x.dim + 3] = 7; // the dead column, now constant 7 rather than 0
    expect(Array.from(groupEqualColumns(x).groupOf)).toEqual([0, 1, 0, 2, 1, 0, 3]);
    const g = groupEqualColumns(x, { dropConstant: true });
    expect(Array.from(g.groupOf)).toEqual([0, 1, 0, -1, 1, 0, 2]);
    const s = fitStandardizer(x);
    const twoStep = mergeColumns(applyStandardizer(s, x), groupEqualColumns(applyStandardizer(s, x)));
    expect(Array.from(standardizeMerged(s, x, g).data)).toEqual(Array.from(twoStep.data));
  });

  it('the merged problem has the same objective at corresponding weights, so the same optimum (independent evaluation)', () => {
    const rng = new Rng(2);
    const base = { data: Float32Array.from({ length: 60 * 3 }, () => rng.normal()), n: 60, dim: 3 };
    const { x } = withCopies(base);
    const labels = Int32Array.from({ length: 60 }, () => rng.int(4));
    const g = groupEqualColumns(x);
    const merged = mergeColumns(x, g);
    const full = new SoftmaxObjective(x, labels, 4);
    const small = new SoftmaxObjective(merged, labels, 4);
    const w = Float64Array.from({ length: small.parameterCount }, () => rng.normal());
    const wFull = new Float64Array(full.parameterCount);
    wFull.set(expandWeights(w.subarray(0, 3 * 4), g, 4));
    wFull.set(w.subarray(3 * 4), 7 * 4);
    for (const lambda of [0, 0.1]) expect(full.evaluate(wFull, lambda).value).toBeCloseTo(small.evaluate(w, lambda).value, 5);
    full.dispose();
    small.dispose();
  });

  it('the probe fitted on merged columns matches the probe fitted on all of them', () => {
    const blobs = gaussianBlobs(300, 3, 4, { seed: 3, sampleSeed: 0 });
    const { x } = withCopies(blobs.features);
    const opts = { lambdas: [1e-2], tol: 1e-10, maxIter: 2000 };
    const before = tf.memory().numTensors;
    const a = trainLinearProbe(x, blobs.labels, 4, { ...opts, mergeEqualColumns: true });
    const b = trainLinearProbe(x, blobs.labels, 4, { ...opts, mergeEqualColumns: false });
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < a.weights.length; i++) expect(a.weights[i]).toBeCloseTo(b.weights[i], 3);
    // The unpenalised bias is the loosest direction: both fits stop within float32 noise of the
    // optimum (max |gradient| < 1e-6), where it still moves in the fourth decimal.
    for (let i = 0; i < a.bias.length; i++) expect(a.bias[i]).toBeCloseTo(b.bias[i], 2);
    // The dead column gets no weight; copies share theirs.
    for (let c = 0; c < 4; c++) {
      expect(a.weights[3 * 4 + c]).toBe(0);
      expect(a.weights[2 * 4 + c]).toBe(a.weights[0 * 4 + c]);
    }
  });
});
