import { cloneImage, createImage, type RgbImage } from '../image.js';
import type { Rng } from '../rng.js';
import { checkProbability, clamp01, luma } from './pixel.js';

export interface ColorJitterOptions {
  /** SimCLR's colour strength s: brightness, contrast, saturation 0.8·s and hue 0.2·s. */
  strength?: number;
  /** Probability of applying the jitter at all (SimCLR: 0.8). */
  p?: number;
  /** Override the strength-derived ranges (0 disables that adjustment). */
  brightness?: number;
  contrast?: number;
  saturation?: number;
  hue?: number;
}

/** Multiply by `factor` (torchvision adjust_brightness: blend with black). */
export function adjustBrightness(img: RgbImage, factor: number): RgbImage {
  const out = createImage(img.width, img.height);
  for (let i = 0; i < img.data.length; i++) out.data[i] = clamp01(img.data[i] * factor);
  return out;
}

/** Blend with the mean grayscale level of the whole image (torchvision adjust_contrast). */
export function adjustContrast(img: RgbImage, factor: number): RgbImage {
  const d = img.data;
  const n = img.width * img.height;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += luma(d[3 * i], d[3 * i + 1], d[3 * i + 2]);
  const offset = (1 - factor) * (sum / n);
  const out = createImage(img.width, img.height);
  for (let i = 0; i < d.length; i++) out.data[i] = clamp01(factor * d[i] + offset);
  return out;
}

/** Blend each pixel with its own grayscale value (torchvision adjust_saturation). */
export function adjustSaturation(img: RgbImage, factor: number): RgbImage {
  const d = img.data;
  const out = createImage(img.width, img.height);
  for (let i = 0; i < d.length; i += 3) {
    const offset = (1 - factor) * luma(d[i], d[i + 1], d[i + 2]);
    out.data[i] = clamp01(factor * d[i] + offset);
    out.data[i + 1] = clamp01(factor * d[i + 1] + offset);
    out.data[i + 2] = clamp01(factor * d[i + 2] + offset);
  }
  return out;
}

/** Rotate the hue by `shift` turns (in [-0.5, 0.5]) in HSV space (torchvision adjust_hue). */
export function adjustHue(img: RgbImage, shift: number): RgbImage {
  const d = img.data;
  const out = createImage(img.width, img.height);
  const o = out.data;
  for (let i = 0; i < d.length; i += 3) {
    const r = d[i];
    const g = d[i + 1];
    const b = d[i + 2];
    const max = Math.max(r, g, b);
    const chroma = max - Math.min(r, g, b);
    if (chroma === 0) {
      // Gray pixels have no hue: unchanged.
      o[i] = r;
      o[i + 1] = g;
      o[i + 2] = b;
      continue;
    }
    let h: number;
    if (max === r) h = (g - b) / chroma;
    else if (max === g) h = 2 + (b - r) / chroma;
    else h = 4 + (r - g) / chroma;
    h = h / 6 + shift;
    h -= Math.floor(h);
    const s = chroma / max;
    const h6 = h * 6;
    const sector = Math.floor(h6) % 6;
    const f = h6 - Math.floor(h6);
    const v = max;
    const p = clamp01(v * (1 - s));
    const q = clamp01(v * (1 - s * f));
    const t = clamp01(v * (1 - s * (1 - f)));
    switch (sector) {
      case 0: o[i] = v; o[i + 1] = t; o[i + 2] = p; break;
      case 1: o[i] = q; o[i + 1] = v; o[i + 2] = p; break;
      case 2: o[i] = p; o[i + 1] = v; o[i + 2] = t; break;
      case 3: o[i] = p; o[i + 1] = q; o[i + 2] = v; break;
      case 4: o[i] = t; o[i + 1] = p; o[i + 2] = v; break;
      default: o[i] = v; o[i + 1] = p; o[i + 2] = q;
    }
  }
  return out;
}

export type JitterAdjustment = 'brightness' | 'contrast' | 'saturation' | 'hue';

/** One draw of the jitter: the adjustments in the order they apply, and their factors. */
export interface JitterParams {
  order: JitterAdjustment[];
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}

/** The ranges of one jitter: ±x around 1 for the factors, ±hue turns for the hue shift. */
export type JitterRanges = Record<JitterAdjustment, number>;

/**
 * torchvision ColorJitter.get_params: factors ~ U[max(0, 1−x), 1+x], hue shift ~ U[−h, h],
 * a random order. A zero range leaves that adjustment out (factor 1 / shift 0).
 */
export function sampleJitterParams(rng: Rng, ranges: JitterRanges): JitterParams {
  const params: JitterParams = { order: [], brightness: 1, contrast: 1, saturation: 1, hue: 0 };
  for (const kind of ['brightness', 'contrast', 'saturation'] as const) {
    if (ranges[kind] > 0) {
      params[kind] = rng.uniform(Math.max(0, 1 - ranges[kind]), 1 + ranges[kind]);
      params.order.push(kind);
    }
  }
  if (ranges.hue > 0) {
    params.hue = rng.uniform(-ranges.hue, ranges.hue);
    params.order.push('hue');
  }
  rng.shuffle(params.order);
  return params;
}

/** Apply a drawn jitter (deterministic). */
export function applyJitter(img: RgbImage, params: JitterParams): RgbImage {
  let out = img;
  for (const kind of params.order) {
    if (kind === 'brightness') out = adjustBrightness(out, params.brightness);
    else if (kind === 'contrast') out = adjustContrast(out, params.contrast);
    else if (kind === 'saturation') out = adjustSaturation(out, params.saturation);
    else out = adjustHue(out, params.hue);
  }
  return out === img ? cloneImage(img) : out;
}

/**
 * SimCLR's colour distortion: torchvision ColorJitter(0.8s, 0.8s, 0.8s, 0.2s) inside
 * RandomApply(p = 0.8), clamped to [0, 1] after each adjustment. Strength 0 is the identity.
 */
export function colorJitter(img: RgbImage, rng: Rng, options: ColorJitterOptions = {}): RgbImage {
  const { strength = 1, p = 0.8 } = options;
  checkProbability('colorJitter', p);
  if (!(strength >= 0)) throw new Error(`colorJitter: strength must be >= 0, got ${strength}`);
  const ranges: JitterRanges = {
    brightness: options.brightness ?? 0.8 * strength,
    contrast: options.contrast ?? 0.8 * strength,
    saturation: options.saturation ?? 0.8 * strength,
    hue: options.hue ?? 0.2 * strength,
  };
  for (const kind of ['brightness', 'contrast', 'saturation'] as const) {
    if (!(ranges[kind] >= 0)) throw new Error(`colorJitter: ${kind} must be >= 0, got ${ranges[kind]}`);
  }
  if (!(ranges.hue >= 0 && ranges.hue <= 0.5)) throw new Error(`colorJitter: hue must be in [0, 0.5], got ${ranges.hue}`);
  if (!rng.bernoulli(p)) return cloneImage(img);
  return applyJitter(img, sampleJitterParams(rng, ranges));
}
