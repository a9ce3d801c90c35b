import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { SoftmaxObjective } from '../../src/eval/softmaxObjective.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The objective written as plain loops in float64, independent of the tfjs code. */
function plainLoss(x: number[][], y: number[], params: Float64Array, numClasses: number, lambda: number): number {
  const dim = x[0].length;
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const logits: number[] = [];
    for (let c = 0; c < numClasses; c++) {
      let z = params[dim * numClasses + c];
      for (let j = 0; j < dim; j++) z += x[i][j] * params[j * numClasses + c];
      logits.push(z);
    }
    const denom = logits.reduce((a, z) => a + Math.exp(z), 0);
    total += -Math.log(Math.exp(logits[y[i]]) / denom);
  }
  let sq = 0;
  for (let k = 0; k < dim * numClasses; k++) sq += params[k] ** 2;
  return total / x.length + (lambda / 2) * sq;
}

describe('SoftmaxObjective', () => {
  it('matches a plain-loop cross-entropy and its central finite differences', () => {
    const rng = new Rng(3);
    const [n, dim, c, lambda] = [7, 3, 4, 0.3];
    const x = Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.normal()));
    const y = Array.from({ length: n }, (_, i) => i % c);
    const params = Float64Array.from({ length: dim * c + c }, () => 0.5 * rng.normal());
    const before = tf.memory().numTensors;
    const obj = new SoftmaxObjective({ data: Float32Array.from(x.flat()), n, dim }, Int32Array.from(y), c);
    const { value, gradient } = obj.evaluate(params, lambda);
    obj.dispose();
    expect(tf.memory().numTensors).toBe(before);

    expect(value).toBeCloseTo(plainLoss(x, y, params, c, lambda), 5);
    const h = 1e-5;
    for (let k = 0; k < params.length; k++) {
      const up = Float64Array.from(params);
      const down = Float64Array.from(params);
      up[k] += h;
      down[k] -= h;
      const numeric = (plainLoss(x, y, up, c, lambda) - plainLoss(x, y, down, c, lambda)) / (2 * h);
      expect(Math.abs(gradient[k] - numeric)).toBeLessThan(1e-5);
    }
  });

  it('rejects a parameter vector of the wrong size', () => {
    const obj = new SoftmaxObjective({ data: new Float32Array(6), n: 2, dim: 3 }, Int32Array.from([0, 1]), 2);
    expect(() => obj.evaluate(new Float64Array(5), 0)).toThrow(/expected 8 parameters/);
    obj.dispose();
  });
});
