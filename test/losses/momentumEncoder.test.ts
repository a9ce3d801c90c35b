import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emaUpdate } from '../../src/losses/momentumEncoder.js';
import { expectClose } from './reference.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('emaUpdate', () => {
  it('computes θ_k ← m θ_k + (1 − m) θ_q in place, without leaks', () => {
    const key = [tf.variable(tf.tensor2d([[1, 2], [3, 4]]), false), tf.variable(tf.tensor1d([10]), false)];
    const query = [tf.variable(tf.tensor2d([[3, 2], [-1, 0]])), tf.variable(tf.tensor1d([0]))];
    const ids = key.map((v) => v.id);
    const before = tf.memory().numTensors;
    emaUpdate(key, query, 0.9);
    expect(tf.memory().numTensors).toBe(before);
    expect(key.map((v) => v.id)).toEqual(ids);
    expectClose(key[0].dataSync(), [1.2, 2, 2.6, 3.6], 1e-6, 0);
    expect(key[1].dataSync()[0]).toBeCloseTo(9, 5);
    emaUpdate(key, query); // default m = 0.999
    expect(key[1].dataSync()[0]).toBeCloseTo(9 * 0.999, 5);
    expect(Array.from(query[0].dataSync())).toEqual([3, 2, -1, 0]); // the source is untouched
    tf.dispose([...key, ...query]);
  });

  it('m = 0 copies, m = 1 keeps', () => {
    const key = [tf.variable(tf.tensor1d([1, 2]))];
    const query = [tf.tensor1d([5, 6])];
    emaUpdate(key, query, 1);
    expect(Array.from(key[0].dataSync())).toEqual([1, 2]);
    emaUpdate(key, query, 0);
    expect(Array.from(key[0].dataSync())).toEqual([5, 6]);
    tf.dispose([...key, ...query]);
  });

  it('checks every shape before writing anything', () => {
    const key = [tf.variable(tf.tensor1d([1])), tf.variable(tf.tensor1d([1, 2]))];
    const query = [tf.tensor1d([5]), tf.tensor1d([1, 2, 3])];
    expect(() => emaUpdate(key, query, 0.5)).toThrow(/shape mismatch at 1/);
    expect(key[0].dataSync()[0]).toBe(1);
    expect(() => emaUpdate(key, query.slice(1), 0.5)).toThrow(/2 target variables but 1 sources/);
    expect(() => emaUpdate(key, query, 1.5)).toThrow(/momentum/);
    tf.dispose([...key, ...query]);
  });
});
