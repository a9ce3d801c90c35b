import type { RgbImage } from './image.js';
import type { Recipe } from './recipe.js';
import type { Rng } from './rng.js';

/** One augmented view: the recipe's steps in order, all drawing from `rng`. */
export function makeView(src: RgbImage, recipe: Recipe, rng: Rng): RgbImage {
  let img = src;
  for (const step of recipe.steps) img = step(img, rng);
  if (img.width !== recipe.imageSize || img.height !== recipe.imageSize) {
    throw new Error(`makeView: recipe produced ${img.width}×${img.height}, expected ${recipe.imageSize}×${recipe.imageSize}`);
  }
  return img;
}
