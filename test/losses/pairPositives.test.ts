import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { contrastiveLoss } from '../../src/losses/contrastive.js';
import { viewLogits } from '../../src/losses/contrastiveLogits.js';
import { pairMasks } from '../../src/losses/contrastiveMasks.js';
import { rankingLoss, rankingLossWithStats } from '../../src/losses/ranking.js';
import { softmaxCrossEntropy } from '../../src/losses/softmaxCrossEntropy.js';
import { tripletLoss } from '../../src/losses/triplet.js';
import type { GroupRelation } from '../../src/losses/views.js';
import {
  expectClose,
  type Mining,
  numericGradient,
  pairedViews,
  randomMatrix,
  refContrastive,
  refLogitObjectives,
  refTriplet,
  tfGradients,
  tfValue,
  unitRows,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Five images; 0–1 and 1–2 are paired (so 0 and 2 are not: the relation is not transitive), 3, 4 alone.
const n = 5;
const imagePairs: [number, number][] = [[0, 1], [1, 2]];
const related: GroupRelation = (a, b) => imagePairs.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
const sameView = pairedViews(n, imagePairs);

describe('positives from a pair relation', () => {
  it('the positive mask of the views is the plain-loop construction (symmetric, not transitive)', () => {
    const labels = Int32Array.from({ length: 2 * n }, (_, v) => v % n);
    withoutLeaks(() => {
      const masks = pairMasks({ anchorLabels: labels, candidateLabels: labels, selfOffset: 0, related });
      const positive = masks.positive.arraySync();
      const negative = masks.negative.arraySync();
      tf.dispose([masks.positive, masks.negative, masks.excluded]);
      for (let v = 0; v < 2 * n; v++) {
        for (let w = 0; w < 2 * n; w++) {
          expect(positive[v][w]).toBe(v !== w && sameView(v, w) ? 1 : 0);
          expect(negative[v][w]).toBe(v !== w && !sameView(v, w) ? 1 : 0);
        }
      }
      // Views of images 0 and 2 are negatives: pairs are not closed transitively.
      expect(positive[0][2]).toBe(0);
      expect(positive[0][n + 1]).toBe(1);
    });
  });

  it('NT-Xent with pairs matches the softmax reference and finite differences', () => {
    const rng = Rng.derive(31);
    const z1 = randomMatrix(rng, n, 4);
    const z2 = randomMatrix(rng, n, 4);
    const tau = 0.5;
    const labels = Array.from({ length: 2 * n }, (_, v) => v % n);
    const ref = (a: number[][], b: number[][]) => {
      const u = unitRows([...a, ...b]);
      return refLogitObjectives(u, u, { tau, anchorLabels: labels, candidateLabels: labels, selfOffset: 0, related }).crossEntropy;
    };
    const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.tidy(() => softmaxCrossEntropy(viewLogits(a, b, { temperature: tau, related })));
    withoutLeaks(() => {
      expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
      const plain = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.tidy(() => softmaxCrossEntropy(viewLogits(a, b, { temperature: tau })));
      expect(Math.abs(tfValue(plain, z1, z2) - ref(z1, z2))).toBeGreaterThan(1e-3);
      const [g1, g2] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
      expectClose(g2, numericGradient((x) => ref(z1, x), z2).flat(), 1e-2, 2e-4);
    });
  });

  it.each(['all', 'hard', 'semi-hard'] as Mining[])('triplet (%s) with pairs matches brute-force mining and finite differences', (mining) => {
    const rng = Rng.derive(32, mining.length);
    const z1 = randomMatrix(rng, n, 4);
    const z2 = randomMatrix(rng, n, 4);
    const opts = { margin: 0.5, metric: 'euclidean' as const, mining, same: sameView };
    const ref = (a: number[][], b: number[][]) => refTriplet(a, b, opts).loss;
    expect(ref(z1, z2)).toBeGreaterThan(0);
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => tripletLoss(a, b, { margin: 0.5, mining, related });
      expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
      const [g1] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
    });
  });

  it('contrastive with pairs matches the plain loop and finite differences', () => {
    const rng = Rng.derive(33);
    const z1 = randomMatrix(rng, n, 3);
    const z2 = randomMatrix(rng, n, 3);
    const ref = (a: number[][], b: number[][]) => refContrastive(a, b, 1.0, undefined, sameView);
    expect(Math.abs(ref(z1, z2) - refContrastive(z1, z2, 1.0))).toBeGreaterThan(1e-3);
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => contrastiveLoss(a, b, { related });
      expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
      const [g1] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
    });
  });
});

describe('rankingLoss: max(0, m − (s(a,p) − s(a,n))) on cosine scores', () => {
  it.each(['all', 'hard', 'semi-hard'] as Mining[])('%s mining matches a float64 reference and finite differences', (mining) => {
    const rng = Rng.derive(34, mining.length);
    const z1 = randomMatrix(rng, 4, 3);
    const z2 = randomMatrix(rng, 4, 3);
    const margin = 0.3;
    // Straight from the definition: s = cosine, hinge on the score gap, mean over all valid
    // (a, p, n) for 'all', over the mined ones otherwise (mining on d = 1 − s).
    const ref = (a: number[][], b: number[][]) => refTriplet(a, b, { margin, metric: 'cosine', mining, averageAllValid: true }).loss;
    expect(ref(z1, z2)).toBeGreaterThan(0);
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => rankingLoss(a, b, { margin, mining });
      expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
      const [g1, g2] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
      expectClose(g2, numericGradient((x) => ref(z1, x), z2).flat(), 1e-2, 2e-4);
    });
  });

  it("'all' averages over every valid triplet, a plain loop over s(a,p) − s(a,n) agrees", () => {
    const rng = Rng.derive(35);
    const z1 = randomMatrix(rng, 3, 3);
    const z2 = randomMatrix(rng, 3, 3);
    const u = unitRows([...z1, ...z2]);
    const s = (i: number, j: number) => u[i].reduce((acc, x, k) => acc + x * u[j][k], 0);
    let sum = 0;
    let count = 0;
    for (let a = 0; a < 6; a++) {
      const p = (a + 3) % 6;
      for (let neg = 0; neg < 6; neg++) {
        if (neg === a || neg === p) continue;
        sum += Math.max(0, 0.2 - (s(a, p) - s(a, neg)));
        count++;
      }
    }
    withoutLeaks(() => {
      const t1 = tf.tensor2d(z1);
      const t2 = tf.tensor2d(z2);
      const { loss, stats } = rankingLossWithStats(t1, t2, { mining: 'all' });
      expectClose([loss.dataSync()[0]], [sum / count]);
      expect(stats.easy + stats.semiHard + stats.hard).toBeCloseTo(1, 6);
      tf.dispose([t1, t2, loss]);
    });
  });
});
