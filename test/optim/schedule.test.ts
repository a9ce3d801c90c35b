import { describe, expect, it } from 'vitest';
import { learningRateAt, scaledLearningRate } from '../../src/optim/schedule.js';

describe('learning-rate schedule', () => {
  const schedule = { peakLr: 1.2, warmupSteps: 10, totalSteps: 110 };

  it('warms up linearly to the peak at the end of warmup', () => {
    expect(learningRateAt(0, schedule)).toBeCloseTo(0.12, 10);
    expect(learningRateAt(4, schedule)).toBeCloseTo(0.6, 10);
    expect(learningRateAt(9, schedule)).toBeCloseTo(1.2, 10);
    expect(learningRateAt(10, schedule)).toBeCloseTo(1.2, 10);
  });

  it('follows the cosine to the last step', () => {
    expect(learningRateAt(60, schedule)).toBeCloseTo(0.6, 10); // half-way: cos(π/2) = 0
    expect(learningRateAt(109, schedule)).toBeCloseTo(0.6 * (1 + Math.cos((Math.PI * 99) / 100)), 10);
    expect(learningRateAt(110, schedule)).toBeCloseTo(0, 10);
  });

  it('scales the base rate with the batch size', () => {
    expect(scaledLearningRate(0.3, 512, 'linear')).toBeCloseTo(0.6, 10);
    expect(scaledLearningRate(0.075, 4096, 'sqrt')).toBeCloseTo(4.8, 10);
    expect(scaledLearningRate(0.3, 512, 'none')).toBe(0.3);
  });
});
