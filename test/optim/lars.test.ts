import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Lars } from '../../src/optim/lars.js';
import { isExcludedFromDecay } from '../../src/optim/optimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('Lars', () => {
  it('takes the hand-computed step, then adds momentum', () => {
    const w = tf.variable(tf.tensor1d([3, 4])); // ‖w‖ = 5
    const g = tf.tensor1d([0.6, 0.8]); // ‖g‖ = 1 before decay
    const lars = new Lars({ momentum: 0.9, weightDecay: 0.1, eta: 0.001 });
    lars.applyGradients({ 'conv/kernel': g }, { 'conv/kernel': w }, 2);
    // g' = g + 0.1·w = [0.9, 1.2], ‖g'‖ = 1.5; ratio = 0.001·5/1.5; v = 2·ratio·g'
    const ratio = (0.001 * 5) / 1.5;
    const v1 = [2 * ratio * 0.9, 2 * ratio * 1.2];
    const w1 = [3 - v1[0], 4 - v1[1]];
    const got1 = Array.from(w.dataSync());
    expect(got1[0]).toBeCloseTo(w1[0], 6);
    expect(got1[1]).toBeCloseTo(w1[1], 6);

    lars.applyGradients({ 'conv/kernel': g }, { 'conv/kernel': w }, 2);
    const gd = [0.6 + 0.1 * w1[0], 0.8 + 0.1 * w1[1]];
    const ratio2 = (0.001 * Math.hypot(...w1)) / Math.hypot(...gd);
    const v2 = [0.9 * v1[0] + 2 * ratio2 * gd[0], 0.9 * v1[1] + 2 * ratio2 * gd[1]];
    const got2 = Array.from(w.dataSync());
    expect(got2[0]).toBeCloseTo(w1[0] - v2[0], 6);
    expect(got2[1]).toBeCloseTo(w1[1] - v2[1], 6);
    tf.dispose([w, g]);
    lars.dispose();
  });

  it('uses plain momentum SGD without decay for BatchNorm and bias', () => {
    const gamma = tf.variable(tf.tensor1d([1, 2]));
    const g = tf.tensor1d([0.5, -0.5]);
    const lars = new Lars({ momentum: 0.9, weightDecay: 0.1 });
    lars.applyGradients({ 'bn_1/gamma': g }, { 'bn_1/gamma': gamma }, 0.1);
    expect(Array.from(gamma.dataSync())).toEqual([expect.closeTo(0.95, 6), expect.closeTo(2.05, 6)]);
    tf.dispose([gamma, g]);
    lars.dispose();
  });

  it('saves and restores its momentum exactly', () => {
    const w = tf.variable(tf.tensor1d([1, -1]));
    const g = tf.tensor1d([0.1, 0.2]);
    const a = new Lars();
    a.applyGradients({ k: g }, { k: w }, 1);
    const b = new Lars();
    b.setState(a.getState());
    const wa = tf.variable(w.clone());
    const wb = tf.variable(w.clone());
    a.applyGradients({ k: g }, { k: wa }, 1);
    b.applyGradients({ k: g }, { k: wb }, 1);
    expect(Array.from(wb.dataSync())).toEqual(Array.from(wa.dataSync()));
    tf.dispose([w, g, wa, wb]);
    a.dispose();
    b.dispose();
  });

  it('excludes exactly BatchNorm parameters and biases from decay', () => {
    expect(isExcludedFromDecay('encoder/bn_3/gamma')).toBe(true);
    expect(isExcludedFromDecay('encoder/bn_3/beta')).toBe(true);
    expect(isExcludedFromDecay('head/proj_dense_2/bias')).toBe(true);
    expect(isExcludedFromDecay('encoder/conv_3/kernel')).toBe(false);
    expect(isExcludedFromDecay('head/proj_dense_1/kernel')).toBe(false);
  });
});

describe('optimizer slots', () => {
  it('hold exactly one tensor per slot, disposed with the optimizer', () => {
    const w = tf.variable(tf.ones([3]));
    const g = tf.ones([3]);
    const before = tf.memory().numTensors;
    const lars = new Lars();
    lars.applyGradients({ k: g }, { k: w }, 0.1);
    expect(tf.memory().numTensors).toBe(before + 1); // the momentum slot
    lars.applyGradients({ k: g }, { k: w }, 0.1);
    expect(tf.memory().numTensors).toBe(before + 1);
    lars.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, g]);
  });
});
