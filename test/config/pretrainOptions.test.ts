import { describe, expect, it } from 'vitest';
import { augmentationOf, modelConfigOf, PRETRAIN_DEFAULTS, validatePretrainOptions, type PretrainOptions } from '../../src/config/pretrainOptions.js';

const options = (overrides: Partial<PretrainOptions>): PretrainOptions => ({ ...PRETRAIN_DEFAULTS, data: 'd', out: 'o', ...overrides });

describe('pretrain options', () => {
  it('rejects an unknown --lr-scaling with one clear line (it would make the learning rate NaN)', () => {
    expect(() => validatePretrainOptions(options({ lrScaling: 'cubic' as PretrainOptions['lrScaling'] }))).toThrow(
      /--lr-scaling must be one of linear, sqrt, none, got cubic/,
    );
    expect(() => validatePretrainOptions(options({ lrScaling: 'sqrt' }))).not.toThrow();
  });

  it('checks every value against the option table: choices, integers, ranges, one line naming the flag', () => {
    const cases: [Partial<PretrainOptions>, RegExp][] = [
      [{ mining: 'easy' as PretrainOptions['mining'] }, /^--mining must be one of all, hard, semi-hard, got easy$/],
      [{ queueSize: 2.5 }, /^--queue-size must be a positive integer, got 2.5$/],
      [{ mocoMomentum: -0.1 }, /^--moco-momentum must be in \[0, 1\], got -0.1$/],
      [{ temperature: 0 }, /^--temperature must be a positive number, got 0$/],
      [{ workers: -1 }, /^--workers must be an integer ≥ 0, got -1$/],
      [{ weightDecay: Number.NaN }, /^--weight-decay must be a number, got NaN$/],
      [{ evalTrain: 'a' }, /^--eval-train and --eval-test go together/],
    ];
    for (const [overrides, message] of cases) expect(() => validatePretrainOptions(options(overrides))).toThrow(message);
  });

  it('describes the model: the CIFAR stem by default up to 64 px, as given otherwise', () => {
    expect(modelConfigOf(options({ imageSize: 64 })).cifarStem).toBe(true);
    expect(modelConfigOf(options({ imageSize: 96 })).cifarStem).toBe(false);
    expect(modelConfigOf(options({ imageSize: 32, cifarStem: false })).cifarStem).toBe(false);
  });

  it("augments with the paper's CIFAR-10 recipe up to 64 px and its ImageNet recipe above; given values win", () => {
    expect(augmentationOf(options({ imageSize: 32 }))).toEqual({ augment: 'crop+flip+color+grayscale', colorStrength: 0.5 });
    expect(augmentationOf(options({ imageSize: 64 }))).toEqual({ augment: 'crop+flip+color+grayscale', colorStrength: 0.5 });
    expect(augmentationOf(options({ imageSize: 96 }))).toEqual({ augment: 'crop+flip+color+grayscale+blur', colorStrength: 1 });
    expect(augmentationOf(options({ imageSize: 224, augment: 'crop+color', colorStrength: 0.25 }))).toEqual({ augment: 'crop+color', colorStrength: 0.25 });
  });
});
