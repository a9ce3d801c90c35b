import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateProbe, linearProbe, trainLinearProbe } from '../../src/eval/linearProbe.js';
import { gaussianBlobs, randomFeatures, shuffledLabels } from './synthetic.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// Class means of length 10 in random directions of 16-D (≈14 apart), unit noise per coordinate:
// linearly separable by construction (≈7 standard deviations from each mean to the midplane).
const train = gaussianBlobs(500, 16, 5, { seed: 1, sampleSeed: 0 });
const test = gaussianBlobs(500, 16, 5, { seed: 1, sampleSeed: 1 });

describe('linear probe', () => {
  it('reaches >= 99% test top-1 on linearly separable features, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const r = linearProbe(train.features, train.labels, test.features, test.labels, 5);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.top1).toBeGreaterThanOrEqual(0.99);
    expect(r.valTop1).toBeGreaterThanOrEqual(0.99);
    expect(r.top5).toBeUndefined(); // fewer than 10 classes
  });

  it('is near chance (20%) when the labels are shuffled', () => {
    // Train and test labels are independent random permutations of balanced labels, so for any
    // classifier the number of test hits has mean n/5 and sd <= sqrt(n·0.2·0.8) ≈ 8.9 (1.8%) at
    // n = 500: ±7% is about 4 sd, while a probe that still "learned" something would be far off.
    const r = linearProbe(
      train.features, shuffledLabels(train.labels, 11),
      test.features, shuffledLabels(test.labels, 12), 5,
    );
    expect(Math.abs(r.top1 - 0.2)).toBeLessThan(0.07);
  });

  it('picks a larger λ when the features are noise than when they separate the classes', () => {
    // Separable: every λ scores 100% held-out, the tie goes to the lowest held-out loss, i.e. the
    // most confident fit (smallest λ). Noise: the flattest fit (large λ) has the lowest loss
    // and fitting the noise gains no held-out accuracy.
    const lambdas = [1, 1e-2, 1e-4, 1e-6];
    for (const seed of [0, 1, 2]) {
      const separable = trainLinearProbe(train.features, train.labels, 5, { lambdas, seed });
      const noise = trainLinearProbe(randomFeatures(500, 16, seed), train.labels, 5, { lambdas, seed, searchPatience: Infinity });
      expect(separable.lambda).toBe(1e-6);
      expect(noise.lambda).toBeGreaterThanOrEqual(1e-2);
      expect(noise.trials.map((t) => t.lambda)).toEqual(lambdas);
    }
  });

  it('stops the λ walk after `searchPatience` λs in a row below the best: a prefix of the full walk', () => {
    // Noise features: held-out top-1 wanders, so the walk stops early for some seeds. The stopped
    // walk must be exactly the start of the full one (same warm starts), stop at the first run of
    // `patience` trials below the best so far, and choose the best λ of what it visited.
    const lambdas = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];
    let stoppedEarly = 0;
    for (const seed of [0, 1, 2, 3]) {
      const features = randomFeatures(300, 24, 40 + seed);
      const full = trainLinearProbe(features, train.labels.subarray(0, 300), 5, { lambdas, seed, searchPatience: Infinity });
      expect(full.trials.map((t) => t.lambda)).toEqual(lambdas);
      for (const patience of [1, 2]) {
        const early = trainLinearProbe(features, train.labels.subarray(0, 300), 5, { lambdas, seed, searchPatience: patience });
        const visited = early.trials.length;
        expect(early.trials).toEqual(full.trials.slice(0, visited));
        // Where the plain loop over the full walk says it should stop.
        let expected = lambdas.length;
        for (let i = 0, best = -1, below = 0; i < full.trials.length; i++) {
          const top1 = full.trials[i].valTop1;
          if (top1 >= best) [best, below] = [top1, 0];
          else below++;
          if (below >= patience) { expected = i + 1; break; }
        }
        expect(visited).toBe(expected);
        if (visited < lambdas.length) stoppedEarly++;
        const bestTop1 = Math.max(...early.trials.map((t) => t.valTop1));
        expect(early.valTop1).toBe(bestTop1);
      }
    }
    expect(stoppedEarly).toBeGreaterThan(0); // the stopping rule was exercised
    expect(() => trainLinearProbe(train.features, train.labels, 5, { searchPatience: 0 })).toThrow(/searchPatience/);
  });

  it('reports top-5 from 10 classes on, and it is at least top-1', () => {
    const a = gaussianBlobs(300, 8, 10, { seed: 4, separation: 2, sampleSeed: 0 });
    const b = gaussianBlobs(300, 8, 10, { seed: 4, separation: 2, sampleSeed: 1 });
    const model = trainLinearProbe(a.features, a.labels, 10, { lambdas: [1e-2, 1e-4] });
    const r = evaluateProbe(model, b.features, b.labels);
    expect(r.top5).toBeDefined();
    expect(r.top5!).toBeGreaterThanOrEqual(r.top1);
    expect(r.top1).toBeGreaterThan(0.3); // well above the 10% chance level
  });

  it('rejects bad input with a clear message', () => {
    const bad = Int32Array.from(train.labels);
    bad[3] = 5;
    expect(() => trainLinearProbe(train.features, bad, 5)).toThrow(/label 5 at row 3 is outside \[0, 5\)/);
    expect(() => trainLinearProbe(train.features, train.labels.subarray(1), 5)).toThrow(/499 labels for 500 rows/);
    expect(() => trainLinearProbe(train.features, train.labels, 5, { lambdas: [] })).toThrow(/lambdas/);
    const wrongDim = { data: new Float32Array(8), n: 1, dim: 8 };
    expect(() => linearProbe(train.features, train.labels, wrongDim, Int32Array.from([0]), 5)).toThrow(/dim 16 .* dim 8/);
  });
});
