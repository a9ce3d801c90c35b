import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { infoNceLoss } from '../../src/losses/infoNce.js';
import { nceLoss } from '../../src/losses/nce.js';
import {
  expectClose,
  type Matrix,
  numericGradient,
  randomMatrix,
  refInfoNce,
  refNce,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type LogitLoss = (pos: tf.Tensor1D, neg: tf.Tensor2D) => tf.Scalar;

/** Value and gradients (w.r.t. positives and negatives) of a tfjs logit loss. */
function evaluate(loss: LogitLoss, pos: number[], neg: Matrix): { value: number; gPos: Float32Array; gNeg: Float32Array } {
  return withoutLeaks(() => {
    const p = tf.tensor1d(pos);
    const n = tf.tensor2d(neg, [neg.length, neg[0]?.length ?? 0]);
    const l = loss(p, n);
    const [gp, gn] = tf.grads((a, b) => loss(a as tf.Tensor1D, b as tf.Tensor2D))([p, n]);
    const out = { value: l.dataSync()[0], gPos: gp.dataSync() as Float32Array, gNeg: gn.dataSync() as Float32Array };
    tf.dispose([p, n, l, gp, gn]);
    return out;
  });
}

function checkAgainstReference(loss: LogitLoss, ref: (pos: number[], neg: Matrix) => number, pos: number[], neg: Matrix) {
  const { value, gPos, gNeg } = evaluate(loss, pos, neg);
  expectClose([value], [ref(pos, neg)]);
  expectClose(gPos, numericGradient((x) => ref(x[0], neg), [pos])[0], 1e-2, 2e-4);
  expectClose(gNeg, numericGradient((x) => ref(pos, x), neg).flat(), 1e-2, 2e-4);
}

const shapes = [
  { b: 1, k: 1 },
  { b: 3, k: 4 },
  { b: 5, k: 16 },
];

describe('nceLoss', () => {
  it.each(shapes)('matches the plain logistic form and finite differences (B=$b, K=$k)', ({ b, k }) => {
    const rng = Rng.derive(21, b, k);
    const pos = randomMatrix(rng, 1, b)[0];
    const neg = randomMatrix(rng, b, k);
    checkAgainstReference((p, n) => nceLoss(p, n), (p, n) => refNce(p, n), pos, neg);
    // InstDisc-style uniform noise over 1000 instances: logits shifted by log(K / 1000).
    const logPn = -Math.log(1000);
    checkAgainstReference((p, n) => nceLoss(p, n, { noiseLogProb: logPn }), (p, n) => refNce(p, n, logPn), pos, neg);
  });

  it('stays finite for large logits', () => {
    const { value } = evaluate((p, n) => nceLoss(p, n), [-200, 200], [[200], [-200]]);
    expect(value).toBeCloseTo(200, 3); // row 1: softplus(200) + softplus(200) = 400, row 2 ≈ 0
  });

  it('rejects bad input', () => {
    const p = tf.zeros([2]) as tf.Tensor1D;
    const n = tf.zeros([3, 4]) as tf.Tensor2D;
    const empty = tf.zeros([2, 0]) as tf.Tensor2D;
    const good = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => nceLoss(p, n)).toThrow(/\[B\]/);
    expect(() => nceLoss(p, empty)).toThrow(/at least one noise sample/);
    expect(() => nceLoss(p, good, { noiseLogProb: NaN })).toThrow(/noiseLogProb/);
    tf.dispose([p, n, empty, good]);
  });
});

describe('infoNceLoss', () => {
  it.each(shapes)('matches the plain softmax cross-entropy and finite differences (B=$b, K=$k)', ({ b, k }) => {
    const rng = Rng.derive(22, b, k);
    const pos = randomMatrix(rng, 1, b, 0.5)[0];
    const neg = randomMatrix(rng, b, k, 0.5);
    for (const tau of [1, 0.2]) {
      checkAgainstReference((p, n) => infoNceLoss(p, n, tau), (p, n) => refInfoNce(p, n, tau), pos, neg);
    }
  });

  it('with one negative and τ = 1 is the logistic loss −log σ(s⁺ − s⁻)', () => {
    const pos = [0.3, -1.2, 2.5];
    const neg = [[0.9], [-1.5], [-0.4]];
    const logistic = pos.map((s, i) => Math.log(1 + Math.exp(-(s - neg[i][0]))));
    const { value } = evaluate((p, n) => infoNceLoss(p, n, 1), pos, neg);
    expect(value).toBeCloseTo(logistic.reduce((a, v) => a + v, 0) / 3, 6);
  });

  it('uses τ = 0.07 by default and stays finite when logits/τ overflow float32 exp', () => {
    const { value } = evaluate((p, n) => infoNceLoss(p, n), [1, 1], [[1, 0], [-1, -1]]);
    // Row 1: log(2 + e^{−1/0.07}); row 2: log(1 + 2e^{−2/0.07}) ≈ 0.
    const expected = (Math.log(2 + Math.exp(-1 / 0.07)) + Math.log(1 + 2 * Math.exp(-2 / 0.07))) / 2;
    expect(value).toBeCloseTo(expected, 5);
    const big = evaluate((p, n) => infoNceLoss(p, n, 0.001), [1], [[0.5]]);
    expect(big.value).toBeCloseTo(0, 5);
    expect(Number.isFinite(big.gPos[0])).toBe(true);
  });

  it('with no negatives is 0', () => {
    withoutLeaks(() => {
      const p = tf.tensor1d([0.4, -0.3]);
      const n = tf.zeros([2, 0]) as tf.Tensor2D;
      const l = infoNceLoss(p, n);
      expect(l.dataSync()[0]).toBeCloseTo(0, 6);
      tf.dispose([p, n, l]);
    });
  });

  it('rejects bad input', () => {
    const p = tf.zeros([2]) as tf.Tensor1D;
    const n = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => infoNceLoss(p, n, 0)).toThrow(/temperature/);
    expect(() => infoNceLoss(n as never, n)).toThrow(/\[B\]/);
    tf.dispose([p, n]);
  });
});
