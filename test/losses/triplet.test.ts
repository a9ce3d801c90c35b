import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { tripletLoss, tripletLossWithStats } from '../../src/losses/triplet.js';
import {
  expectClose,
  type Mining,
  numericGradient,
  randomMatrix,
  refTriplet,
  tfGradients,
  tfValue,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const metrics = ['euclidean', 'cosine'] as const;
const minings: Mining[] = ['all', 'hard', 'semi-hard'];
const cases = metrics.flatMap((metric) =>
  minings.flatMap((mining) => [
    { metric, mining, n: 3, d: 4 },
    { metric, mining, n: 5, d: 3 },
  ]),
);

describe('tripletLoss', () => {
  it.each(cases)(
    '$mining / $metric matches brute-force mining and finite differences (N=$n, D=$d)',
    ({ metric, mining, n, d }) => {
      const rng = Rng.derive(11, n, d, minings.indexOf(mining), metrics.indexOf(metric));
      const z1 = randomMatrix(rng, n, d);
      const z2 = randomMatrix(rng, n, d);
      // A margin large enough that 'all' keeps many triplets but not all of them.
      const margin = metric === 'euclidean' ? 0.5 : 0.3;
      const opts = { margin, metric, mining };
      const ref = (a: number[][], b: number[][]) => refTriplet(a, b, opts).loss;
      expect(refTriplet(z1, z2, opts).loss).toBeGreaterThan(0);
      withoutLeaks(() => {
        const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => tripletLoss(a, b, { margin, distance: metric, mining });
        expectClose([tfValue(loss, z1, z2)], [ref(z1, z2)]);
        const [g1, g2] = tfGradients(loss, z1, z2);
        expectClose(g1, numericGradient((x) => ref(x, z2), z1).flat(), 1e-2, 2e-4);
        expectClose(g2, numericGradient((x) => ref(z1, x), z2).flat(), 1e-2, 2e-4);
      });
    },
  );

  it('labelled mode: same label ⇒ positive, stats report the FaceNet shares', () => {
    const rng = Rng.derive(12);
    const labels = [0, 1, 0, 1, 2, 0];
    const z1 = randomMatrix(rng, 6, 4);
    const z2 = randomMatrix(rng, 6, 4);
    for (const mining of minings) {
      const ref = refTriplet(z1, z2, { margin: 0.2, metric: 'euclidean', mining, labels });
      withoutLeaks(() => {
        const t1 = tf.tensor2d(z1);
        const t2 = tf.tensor2d(z2);
        const { loss, stats } = tripletLossWithStats(t1, t2, { mining, labels: Int32Array.from(labels) });
        expectClose([loss.dataSync()[0], stats.loss], [ref.loss, ref.loss]);
        expect(stats.triplets).toBe(ref.count);
        expectClose([stats.easy, stats.semiHard, stats.hard], [ref.easy, ref.semiHard, ref.hard], 0, 1e-9);
        tf.dispose([t1, t2, loss]);
      });
    }
  });

  it('defaults to semi-hard mining, α = 0.2, Euclidean distance', () => {
    const rng = Rng.derive(13);
    const z1 = randomMatrix(rng, 4, 3);
    const z2 = randomMatrix(rng, 4, 3);
    const expected = refTriplet(z1, z2, { margin: 0.2, metric: 'euclidean', mining: 'semi-hard' }).loss;
    expectClose([tfValue((a, b) => tripletLoss(a, b), z1, z2)], [expected]);
  });

  it('is 0 with zero gradients when no triplet is active', () => {
    // Views of an image coincide; the two images are orthogonal: every triplet is easy.
    const z = [[1, 0], [0, 1]];
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => tripletLoss(a, b, { mining: 'all' });
      expect(tfValue(loss, z, z)).toBe(0);
      const [g1, g2] = tfGradients(loss, z, z);
      expect([...g1, ...g2].every((v) => v === 0)).toBe(true);
    });
  });

  it('rejects bad input with one clear line', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    withoutLeaks(() => {
      expect(() => tripletLoss(one, one)).toThrow(/at least 2 images/);
      expect(() => tripletLoss(a, a, { distance: 'manhattan' as never })).toThrow(/unknown distance/);
      expect(() => tripletLoss(a, a, { mining: 'random' as never })).toThrow(/unknown triplet mining/);
      expect(() => tripletLoss(a, a, { margin: -0.1 })).toThrow(/margin/);
    });
    tf.dispose([a, one]);
  });
});
