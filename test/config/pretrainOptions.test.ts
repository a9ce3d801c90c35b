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
