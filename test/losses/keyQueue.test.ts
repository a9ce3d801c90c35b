import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KeyQueue } from '../../src/losses/keyQueue.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let live: KeyQueue[] = [];
afterEach(() => {
  live.forEach((q) => q.dispose());
  live = [];
});
function queue(size: number, dim: number): KeyQueue {
  const q = new KeyQueue(size, dim);
  live.push(q);
  return q;
}

/** Keys numbered from `first`: row r is [first + r, −(first + r)], so every row is identifiable. */
function numbered(first: number, count: number): tf.Tensor2D {
  const rows = Array.from({ length: count }, (_, r) => [first + r, -(first + r)]);
  return tf.tensor2d(rows, [count, 2]);
}

function enqueueNumbered(q: KeyQueue, first: number, count: number): void {
  const keys = numbered(first, count);
  q.enqueue(keys);
  keys.dispose();
}

/** The first column of the queue's keys, i.e. which numbered key sits in each slot. */
function slots(q: KeyQueue): number[] {
  return Array.from(q.keys.dataSync()).filter((_, i) => i % 2 === 0);
}

describe('KeyQueue', () => {
  it('fills in FIFO order, then overwrites the oldest slot first', () => {
    const q = queue(5, 2);
    expect(q.keys.shape).toEqual([0, 2]);
    enqueueNumbered(q, 0, 3);
    expect([q.ptr, q.count, slots(q)]).toEqual([3, 3, [0, 1, 2]]);
    enqueueNumbered(q, 3, 3); // slots 3, 4, then wraps to 0
    expect([q.ptr, q.count, slots(q)]).toEqual([1, 5, [5, 1, 2, 3, 4]]);
    expect(q.keys.shape).toEqual([5, 2]);
    enqueueNumbered(q, 6, 2);
    expect([q.ptr, q.count, slots(q)]).toEqual([3, 5, [5, 6, 7, 3, 4]]);
  });

  it('matches a one-key-at-a-time ring buffer for any batch size, including B > size', () => {
    const size = 7;
    const q = queue(size, 2);
    const ring: number[] = [];
    let ptr = 0;
    let next = 0;
    for (const b of [3, 1, 6, 7, 9, 2, 15, 4]) {
      enqueueNumbered(q, next, b);
      for (let r = 0; r < b; r++) {
        ring[ptr] = next + r;
        ptr = (ptr + 1) % size;
      }
      next += b;
      expect([q.ptr, q.count, slots(q)]).toEqual([ptr, ring.length, ring]);
    }
  });

  it('keeps memory constant: one tensor for the buffer, none leaked per enqueue', () => {
    const q = queue(4, 2);
    enqueueNumbered(q, 0, 1);
    const partial = tf.memory().numTensors;
    enqueueNumbered(q, 1, 2);
    expect(tf.memory().numTensors).toBe(partial);
    enqueueNumbered(q, 3, 3); // now full: the filled-rows slice is released
    const full = tf.memory().numTensors;
    expect(full).toBe(partial - 1);
    for (let i = 0; i < 10; i++) enqueueNumbered(q, 10 + i, 3);
    expect(tf.memory().numTensors).toBe(full);
  });

  it('survives being used inside tf.tidy and is invisible to variableGrads', () => {
    const q = queue(4, 2);
    tf.tidy(() => q.enqueue(numbered(0, 2)));
    expect(slots(q)).toEqual([0, 1]);
    const w = tf.variable(tf.scalar(2));
    const { grads, value } = tf.variableGrads(() => tf.sum(q.keys).mul(w) as tf.Scalar);
    expect(Object.keys(grads)).toEqual([w.name]);
    tf.dispose([w, value, ...Object.values(grads)]);
  });

  it('round-trips through state() / fromState, before and after wrapping', () => {
    for (const filled of [3, 11]) {
      const q = queue(5, 2);
      enqueueNumbered(q, 0, filled);
      const s = q.state();
      expect(s.keys.length).toBe(q.count * 2);
      const r = KeyQueue.fromState(s);
      live.push(r);
      expect([r.ptr, r.count, r.size, r.dim]).toEqual([q.ptr, q.count, 5, 2]);
      expect(Array.from(r.keys.dataSync())).toEqual(Array.from(q.keys.dataSync()));
      // And both continue identically.
      enqueueNumbered(q, 100, 2);
      enqueueNumbered(r, 100, 2);
      expect(slots(r)).toEqual(slots(q));
    }
  });

  it('rejects bad input', () => {
    expect(() => new KeyQueue(0, 2)).toThrow(/size ≥ 1/);
    const q = queue(4, 2);
    const wrong = tf.zeros([2, 3]) as tf.Tensor2D;
    expect(() => q.enqueue(wrong)).toThrow(/\[B, 2\]/);
    wrong.dispose();
    const before = tf.memory().numTensors;
    const bad = { keys: new Float32Array(4), ptr: 0, count: 2, size: 4, dim: 2 };
    expect(() => KeyQueue.fromState(bad)).toThrow(/inconsistent KeyQueue state/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('defaults to MoCo’s 65536 keys', () => {
    expect(queue(undefined as unknown as number, 2).size).toBe(65536);
  });
});
