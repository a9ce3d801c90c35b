import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { l2Normalize } from '../../src/losses/distances.js';
import { KeyQueue } from '../../src/losses/keyQueue.js';
import { mocoLoss, mocoLossWithStats } from '../../src/losses/moco.js';
import {
  dot,
  expectClose,
  type Matrix,
  numericGradient,
  randomMatrix,
  refMoco,
  tfGradients,
  tfValue,
  unitRows,
  withoutLeaks,
} from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function filledQueue(keys: Matrix, size: number): KeyQueue {
  const q = new KeyQueue(size, keys[0].length);
  const t = tf.tensor2d(keys);
  const unit = l2Normalize(t);
  q.enqueue(unit);
  tf.dispose([t, unit]);
  return q;
}

describe('mocoLoss', () => {
  it.each([
    { b: 2, d: 3, k: 4, size: 8, tau: 0.07 },
    { b: 4, d: 8, k: 11, size: 6, tau: 0.2 }, // queue wrapped: only the newest 6 keys remain
  ])('matches InfoNCE against key + queue, gradient flows to q only (B=$b, D=$d)', ({ b, d, k, size, tau }) => {
    const rng = Rng.derive(31, b, d);
    const q = randomMatrix(rng, b, d);
    const key = randomMatrix(rng, b, d);
    const history = randomMatrix(rng, k, d);
    const queue = filledQueue(history, size);
    const negatives = unitRows(history.slice(k - Math.min(k, size)));
    withoutLeaks(() => {
      const loss = (a: tf.Tensor2D, c: tf.Tensor2D) => mocoLoss(a, c, queue, tau);
      expectClose([tfValue(loss, q, key)], [refMoco(q, key, negatives, tau)], 1e-4, 1e-5);
      const [gq, gk] = tfGradients(loss, q, key);
      expectClose(gq, numericGradient((x) => refMoco(x, key, negatives, tau), q).flat(), 1e-2, 2e-4);
      expect(gk.every((v) => v === 0)).toBe(true);
    });
    queue.dispose();
  });

  it('stats: top-1 of the key among the queue, mean positive and negative cosine', () => {
    const rng = Rng.derive(32);
    const q = randomMatrix(rng, 5, 4);
    const key = q.map((row, i) => (i < 3 ? row.map((v) => v + 0.01) : row.map((v) => -v))); // 3 near, 2 opposite
    const history = randomMatrix(rng, 6, 4);
    const queue = filledQueue(history, 16);
    const qn = unitRows(q);
    const kn = unitRows(key);
    const hn = unitRows(history);
    const pos = qn.map((row, i) => dot(row, kn[i]));
    const neg = qn.map((row) => hn.map((h) => dot(row, h)));
    const top1 = pos.filter((p, i) => neg[i].every((s) => p > s)).length / 5;
    withoutLeaks(() => {
      const tq = tf.tensor2d(q);
      const tk = tf.tensor2d(key);
      const { loss, stats } = mocoLossWithStats(tq, tk, queue);
      expectClose([stats.loss], [refMoco(q, key, hn, 0.07)]);
      expect(stats.top1).toBeCloseTo(top1, 6);
      expect(top1).toBe(3 / 5);
      expectClose(
        [stats.positiveCosine, stats.negativeCosine],
        [pos.reduce((a, v) => a + v, 0) / 5, neg.flat().reduce((a, v) => a + v, 0) / 30],
      );
      tf.dispose([tq, tk, loss]);
    });
    queue.dispose();
  });

  it('is 0 with an empty queue (the key is the only candidate)', () => {
    const queue = new KeyQueue(8, 3);
    expect(tfValue((a, b) => mocoLoss(a, b, queue), [[1, 2, 3]], [[0, 1, 0]])).toBeCloseTo(0, 6);
    withoutLeaks(() => {
      const q = tf.tensor2d([[1, 2, 3]]);
      const { loss, stats } = mocoLossWithStats(q, q, queue);
      expect(stats.top1).toBe(1);
      expect(stats.negativeCosine).toBeNaN();
      expect(stats.positiveCosine).toBeCloseTo(1, 6);
      tf.dispose([q, loss]);
    });
    queue.dispose();
  });

  it('rejects a queue of the wrong dimension', () => {
    const queue = new KeyQueue(8, 3);
    const q = tf.zeros([2, 4]) as tf.Tensor2D;
    expect(() => mocoLoss(q, q, queue)).toThrow(/queue holds dim 3/);
    tf.dispose(q);
    queue.dispose();
  });
});
