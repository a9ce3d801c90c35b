import type { RgbImage } from './image.js';
import type { Rng } from './rng.js';
import { colorJitter } from './ops/colorJitter.js';
import { cutout } from './ops/cutout.js';
import { gaussianBlur } from './ops/gaussianBlur.js';
import { gaussianNoise } from './ops/gaussianNoise.js';
import { horizontalFlip } from './ops/horizontalFlip.js';
import { checkImageSize } from './ops/pixel.js';
import { randomGrayscale } from './ops/randomGrayscale.js';
import { randomResizedCrop } from './ops/randomResizedCrop.js';
import { resizeBilinear } from './ops/resize.js';
import { rotate } from './ops/rotate.js';
import { sobel } from './ops/sobel.js';
import { solarize } from './ops/solarize.js';

/** SimCLR's full augmentation (paper, section 3 and appendix A): its ImageNet recipe. */
export const DEFAULT_RECIPE = 'crop+flip+color+grayscale+blur';

/** SimCLR's CIFAR-10 recipe (the paper's CIFAR-10 appendix): no Gaussian blur at 32×32. */
export const SMALL_IMAGE_RECIPE = 'crop+flip+color+grayscale';

export const OP_NAMES = ['crop', 'flip', 'color', 'grayscale', 'blur', 'cutout', 'sobel', 'noise', 'rotate', 'solarize'] as const;
export type OpName = (typeof OP_NAMES)[number];

export type ViewOp = (img: RgbImage, rng: Rng) => RgbImage;

export interface RecipeOptions {
  /** Side of every view the recipe makes. */
  imageSize: number;
  /** SimCLR's colour-distortion strength s (1 on ImageNet, 0.5 on CIFAR-10). */
  colorStrength?: number;
}

export interface Recipe {
  /** The op names as written, e.g. ['crop', 'color']. */
  names: OpName[];
  imageSize: number;
  /** What makeView applies in order; starts with a resize when the recipe has no crop. */
  steps: ViewOp[];
}

/** Parse "crop+flip+color+grayscale+blur" (order as written) into a Recipe. */
export function parseRecipe(spec: string, options: RecipeOptions): Recipe {
  const { imageSize, colorStrength = 1 } = options;
  checkImageSize('recipe', imageSize);
  if (!(colorStrength >= 0)) throw new Error(`recipe: colorStrength must be >= 0, got ${colorStrength}`);
  const valid = OP_NAMES.join(', ');
  const parts = spec.split('+').map((s) => s.trim());
  if (parts.some((p) => p === '')) {
    throw new Error(`recipe "${spec}": empty op name; write ops joined by '+', e.g. "${DEFAULT_RECIPE}" (valid: ${valid})`);
  }
  const names: OpName[] = [];
  for (const part of parts) {
    if (!(OP_NAMES as readonly string[]).includes(part)) throw new Error(`recipe "${spec}": unknown op "${part}" (valid: ${valid})`);
    if (names.includes(part as OpName)) throw new Error(`recipe "${spec}": op "${part}" listed twice`);
    names.push(part as OpName);
  }
  const opFor: Record<OpName, ViewOp> = {
    crop: (img, rng) => randomResizedCrop(img, rng, { size: imageSize }),
    flip: (img, rng) => horizontalFlip(img, rng),
    color: (img, rng) => colorJitter(img, rng, { strength: colorStrength }),
    grayscale: (img, rng) => randomGrayscale(img, rng),
    blur: (img, rng) => gaussianBlur(img, rng),
    cutout: (img, rng) => cutout(img, rng),
    sobel: (img, rng) => sobel(img, rng),
    noise: (img, rng) => gaussianNoise(img, rng),
    rotate: (img, rng) => rotate(img, rng),
    solarize: (img, rng) => solarize(img, rng),
  };
  const steps = names.map((n) => opFor[n]);
  if (!names.includes('crop')) steps.unshift((img) => evalView(img, imageSize));
  return { names, imageSize, steps };
}

/** Evaluation preprocessing: a plain bilinear resize to imageSize × imageSize, no randomness. */
export function evalView(img: RgbImage, imageSize: number): RgbImage {
  return resizeBilinear(img, imageSize, imageSize);
}

/** How the two views of an image are made. */
/** 'symmetric': the recipe on both views; 'paper': view 1 crop only (SimCLR's ablation protocol). */
export const VIEW_PROTOCOLS = ['symmetric', 'paper'] as const;
export type ViewProtocol = (typeof VIEW_PROTOCOLS)[number];

/**
 * The recipes of view 1 and view 2. 'symmetric': both use the recipe. 'paper' (SimCLR's
 * Figure 5 ablation): "we always first randomly crop images and resize them to the same
 * resolution, and we then apply the targeted transformation(s) only to one branch": view 1
 * is that crop only, view 2 the same kind of crop followed by the recipe as written — so a
 * studied `crop` is a second crop, and the grid's crop row differs from its diagonal.
 */
export function twoViewRecipes(spec: string, options: RecipeOptions & { protocol?: ViewProtocol }): [Recipe, Recipe] {
  const { protocol = 'symmetric' } = options;
  if (protocol === 'symmetric') {
    const recipe = parseRecipe(spec, options);
    return [recipe, recipe];
  }
  if (protocol !== 'paper') throw new Error(`unknown view protocol "${String(protocol)}" (valid: symmetric, paper)`);
  const base = parseRecipe('crop', options);
  const targeted = parseRecipe(spec, options);
  // Without a crop of its own the recipe starts with a resize to imageSize: after the base crop, a no-op.
  const targetedOps = targeted.names.includes('crop') ? targeted.steps : targeted.steps.slice(1);
  return [base, { names: ['crop', ...targeted.names], imageSize: base.imageSize, steps: [...base.steps, ...targetedOps] }];
}
