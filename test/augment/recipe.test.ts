import { describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { DEFAULT_RECIPE, evalView, parseRecipe, twoViewRecipes } from '../../augment/recipe.js';
import { makeView } from '../../augment/view.js';
import { randomResizedCrop } from '../../augment/ops/randomResizedCrop.js';
import { resizeBilinear } from '../../augment/ops/resize.js';
import { colorJitter } from '../../augment/ops/colorJitter.js';
import { randomImage } from './helpers.js';

describe('parseRecipe', () => {
  it('parses the default recipe in the written order', () => {
    const r = parseRecipe(DEFAULT_RECIPE, { imageSize: 32 });
    expect(r.names).toEqual(['crop', 'flip', 'color', 'grayscale', 'blur']);
    expect(r.steps).toHaveLength(5);
    expect(parseRecipe(' color + crop ', { imageSize: 8 }).names).toEqual(['color', 'crop']);
  });

  it('accepts every op name', () => {
    const all = 'crop+flip+color+grayscale+blur+cutout+sobel+noise+rotate+solarize';
    expect(parseRecipe(all, { imageSize: 16 }).names).toHaveLength(10);
  });

  it('rejects unknown, empty and duplicate ops with a clear message', () => {
    expect(() => parseRecipe('crop+jitter', { imageSize: 8 })).toThrow(/unknown op "jitter" \(valid: crop, flip, color, grayscale, blur, cutout, sobel, noise, rotate, solarize\)/);
    expect(() => parseRecipe('', { imageSize: 8 })).toThrow(/empty op name/);
    expect(() => parseRecipe('crop++flip', { imageSize: 8 })).toThrow(/empty op name/);
    expect(() => parseRecipe('crop+flip+crop', { imageSize: 8 })).toThrow(/"crop" listed twice/);
    expect(() => parseRecipe('crop', { imageSize: 0 })).toThrow(/size must be a positive integer/);
    expect(() => parseRecipe('crop', { imageSize: 8, colorStrength: -1 })).toThrow(/colorStrength/);
  });
});

describe('makeView', () => {
  const src = randomImage(48, 48, 51);

  it('always makes imageSize × imageSize views, resizing first when there is no crop', () => {
    for (const spec of [DEFAULT_RECIPE, 'color', 'rotate+sobel', 'flip+cutout+noise+solarize']) {
      const v = makeView(src, parseRecipe(spec, { imageSize: 20 }), new Rng(1));
      expect([v.width, v.height]).toEqual([20, 20]);
    }
  });

  it('composes the ops in order, each drawing from the same stream', () => {
    const recipe = parseRecipe('crop+color', { imageSize: 16, colorStrength: 0.5 });
    const rng = new Rng(9);
    const expected = colorJitter(randomResizedCrop(src, rng, { size: 16 }), rng, { strength: 0.5 });
    expect(makeView(src, recipe, new Rng(9)).data).toEqual(expected.data);
    const noCrop = parseRecipe('color', { imageSize: 16 });
    const rng2 = new Rng(4);
    expect(makeView(src, noCrop, new Rng(4)).data).toEqual(colorJitter(resizeBilinear(src, 16, 16), rng2).data);
  });

  it('evalView is a deterministic plain resize', () => {
    expect(evalView(src, 24).data).toEqual(resizeBilinear(src, 24, 24).data);
  });
});

describe('twoViewRecipes', () => {
  it('symmetric uses the recipe twice; paper uses crop only for view 1 and a crop before view 2', () => {
    const [a, b] = twoViewRecipes('crop+color', { imageSize: 8 });
    expect([a.names, b.names]).toEqual([['crop', 'color'], ['crop', 'color']]);
    const [p1, p2] = twoViewRecipes('color+blur', { imageSize: 8, protocol: 'paper' });
    expect([p1.names, p2.names]).toEqual([['crop'], ['crop', 'color', 'blur']]);
    // A studied crop is a second crop after the base one (so the grid's crop row is not its diagonal).
    const [, q2] = twoViewRecipes('flip+crop', { imageSize: 8, protocol: 'paper' });
    expect(q2.names).toEqual(['crop', 'flip', 'crop']);
    expect(q2.steps).toHaveLength(3);
    const [, cropColor] = twoViewRecipes('crop+color', { imageSize: 8, protocol: 'paper' });
    const [, color] = twoViewRecipes('color', { imageSize: 8, protocol: 'paper' });
    expect(cropColor.steps).toHaveLength(3);
    expect(color.steps).toHaveLength(2);
    expect(() => twoViewRecipes('crop', { imageSize: 8, protocol: 'both' as never })).toThrow(/unknown view protocol "both"/);
  });
});
