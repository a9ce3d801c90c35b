import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { contrastiveLoss, contrastiveLossWithStats } from '../../src/losses/contrastive.js';
import {
  expectClose,
  numericGradient,
  randomMatrix,
  refContrastive,
  tfGradients,
  tfValue,
  viewDistances,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cases = [
  { n: 2, d: 3, margin: 1.0 },
  { n: 3, d: 4, margin: 1.0 },
  { n: 5, d: 8, margin: 1.5 },
];

describe('contrastiveLoss', () => {
  it.each(cases)('matches the plain-loop loss and its finite differences (N=$n, D=$d)', ({ n, d, margin }) => {
    const rng = Rng.derive(7, n, d);
    const z1 = randomMatrix(rng, n, d);
    const z2 = randomMatrix(rng, n, d);
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => contrastiveLoss(a, b, { margin });
      expectClose([tfValue(loss, z1, z2)], [refContrastive(z1, z2, margin)]);
      const [g1, g2] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => refContrastive(x, z2, margin), z1).flat(), 1e-2, 2e-4);
      expectClose(g2, numericGradient((x) => refContrastive(z1, x, margin), z2).flat(), 1e-2, 2e-4);
    });
  });

  it('labelled mode: same label ⇒ positive, with gradients', () => {
    const rng = Rng.derive(8);
    const labels = [0, 1, 0, 2];
    const z1 = randomMatrix(rng, 4, 5);
    const z2 = randomMatrix(rng, 4, 5);
    const loss = (a: tf.Tensor2D, b: tf.Tensor2D) => contrastiveLoss(a, b, { labels: Int32Array.from(labels) });
    withoutLeaks(() => {
      expectClose([tfValue(loss, z1, z2)], [refContrastive(z1, z2, 1.0, labels)]);
      const [g1] = tfGradients(loss, z1, z2);
      expectClose(g1, numericGradient((x) => refContrastive(x, z2, 1.0, labels), z1).flat(), 1e-2, 2e-4);
    });
    // Labelled mode differs from the self-supervised one (images 0 and 2 now attract).
    expect(Math.abs(refContrastive(z1, z2, 1.0, labels) - refContrastive(z1, z2, 1.0))).toBeGreaterThan(1e-3);
  });

  it('is ½d² of the positives alone when every negative is beyond the margin', () => {
    // Two images on opposite poles: negatives at d = 2 > m, positives at d = ‖(1,0)−(0.6,0.8)‖.
    const z1 = tf.tensor2d([[1, 0], [-1, 0]]);
    const z2 = tf.tensor2d([[0.6, 0.8], [-0.6, -0.8]]);
    const loss = contrastiveLoss(z1, z2, { margin: 0.5 });
    expect(loss.dataSync()[0]).toBeCloseTo(0.5 * (0.4 ** 2 + 0.8 ** 2), 5);
    tf.dispose([z1, z2, loss]);
  });

  it('stats: mean positive / negative distance and the share of negatives inside the margin', () => {
    const rng = Rng.derive(9);
    const z1 = randomMatrix(rng, 3, 4);
    const z2 = randomMatrix(rng, 3, 4);
    const dist = viewDistances(z1, z2, 'euclidean');
    const pos: number[] = [];
    const neg: number[] = [];
    for (let i = 0; i < 6; i++) {
      for (let j = i + 1; j < 6; j++) (i % 3 === j % 3 ? pos : neg).push(dist[i][j]);
    }
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    withoutLeaks(() => {
      const t1 = tf.tensor2d(z1);
      const t2 = tf.tensor2d(z2);
      const { loss, stats } = contrastiveLossWithStats(t1, t2);
      expectClose([stats.loss], [refContrastive(z1, z2, 1.0)]);
      expectClose([stats.positiveDistance, stats.negativeDistance], [mean(pos), mean(neg)]);
      expect(stats.activeNegatives).toBeCloseTo(neg.filter((x) => x < 1).length / neg.length, 6);
      tf.dispose([t1, t2, loss]);
    });
  });

  it('rejects bad input with one clear line', () => {
    const a = tf.zeros([3, 4]) as tf.Tensor2D;
    const b = tf.zeros([3, 5]) as tf.Tensor2D;
    const one = tf.zeros([1, 4]) as tf.Tensor2D;
    withoutLeaks(() => {
      expect(() => contrastiveLoss(a, b)).toThrow(/same shape/);
      expect(() => contrastiveLoss(one, one)).toThrow(/at least 2 images/);
      expect(() => contrastiveLoss(a, a, { margin: 0 })).toThrow(/margin/);
      expect(() => contrastiveLoss(a, a, { labels: Int32Array.from([0, 1]) })).toThrow(/one entry per image/);
    });
    tf.dispose([a, b, one]);
  });
});
