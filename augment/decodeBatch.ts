import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import sharp from 'sharp';
import { DecodeError, decodeToRgb, DEFAULT_MAX_PIXELS } from './decode.js';
import { decodeSimplePng, type DecodedPng } from './pngFast.js';

/**
 * Decode many files at one size, byte for byte what `decodeToRgb` gives each of them, fast for
 * folders of small simple PNGs (dataset exports: 70k Fashion-MNIST images took 117 s through a
 * sharp pipeline per image on 2 cores). Simple PNGs (see pngFast.ts) decode in TypeScript; when
 * already size × size they are copied, when square and smaller they are enlarged by one sharp
 * resize per batch of images laid side by side, each with an edge-replicated margin wide enough
 * that no kernel reaches a neighbour and placed so every tile keeps the sampling phase it has
 * alone (test/augment/decodeBatch.test.ts checks equality with the per-image path). Everything
 * else goes through `decodeToRgb` one by one.
 */
export interface DecodeFilesOptions {
  maxPixels?: number;
  /** Files read and decoded at once. */
  concurrency: number;
  onDecoded?: () => void;
}

/** Most input pixels in one side-by-side resize (bounds its memory). */
const ATLAS_PIXELS = 1 << 22;
/** Largest enlargement taken by the batched resize; beyond it, per image. */
const MAX_UPSCALE = 8;

/**
 * Decode `files[i]` into `out` at offset i × size² × 3, or only check it decodes when `out` is
 * undefined. Returns, per file, why it could not be used (undefined when it was).
 */
export async function decodeFilesInto(
  files: readonly string[],
  size: number,
  out: Uint8Array | undefined,
  { maxPixels = DEFAULT_MAX_PIXELS, concurrency, onDecoded }: DecodeFilesOptions,
): Promise<(DecodeError | undefined)[]> {
  const bytesPerImage = size * size * 3;
  const failures: (DecodeError | undefined)[] = new Array(files.length);
  const pending = new Map<string, { index: number; png: DecodedPng }[]>();
  const limit = pLimit(concurrency);

  const viaSharp = async (i: number, input: string | Buffer) => {
    try {
      const rgb = await decodeToRgb(input, size, { maxPixels });
      out?.set(rgb, i * bytesPerImage);
    } catch (err) {
      failures[i] = err instanceof DecodeError ? err : new DecodeError('corrupt', String(err));
    }
  };

  await Promise.all(
    files.map((file, i) =>
      limit(async () => {
        let bytes: Buffer;
        try {
          // Synchronous: for small files the async read's five thread-pool round trips cost more than the read.
          bytes = readFileSync(file);
        } catch {
          await viaSharp(i, file); // names the problem (unreadable, missing…)
          onDecoded?.();
          return;
        }
        const png = decodeSimplePng(bytes, maxPixels, (w, h) => !out || (w === h && w <= size && size <= MAX_UPSCALE * w));
        if (!png) {
          await viaSharp(i, bytes.length > 0 ? bytes : file);
        } else if (out && png.width === size && png.height === size) {
          writeRgb(png.pixels, png.channels, out.subarray(i * bytesPerImage, (i + 1) * bytesPerImage));
        } else if (out) {
          const key = `${png.width}/${png.channels}`;
          const queue = pending.get(key) ?? [];
          pending.set(key, queue);
          queue.push({ index: i, png });
          const layout = atlasLayout(png.width, size);
          if (queue.length * layout.inSide * layout.inSide >= ATLAS_PIXELS) {
            pending.delete(key);
            await enlargeTogether(queue, size, out);
          }
        }
        onDecoded?.();
      }),
    ),
  );
  for (const queue of pending.values()) if (out) await enlargeTogether(queue, size, out);
  return failures;
}

/** Gray or RGB samples → RGB bytes. */
function writeRgb(pixels: Uint8Array, channels: 1 | 3, target: Uint8Array): void {
  if (channels === 3) {
    target.set(pixels);
    return;
  }
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i];
    target[3 * i] = v;
    target[3 * i + 1] = v;
    target[3 * i + 2] = v;
  }
}

/**
 * A side-by-side tile for an image of side `from` enlarged to `to`: a margin of `margin` input
 * pixels on every side, where margin × to / from is a whole number `offset` (so each tile starts
 * on an output pixel and samples exactly as the image alone does) and at least 8 pixels (wider
 * than any interpolation kernel at these scales).
 */
function atlasLayout(from: number, to: number): { margin: number; offset: number; inSide: number; outSide: number } {
  const step = from / gcd(from, to);
  const margin = step * Math.ceil(8 / step);
  const offset = (margin * to) / from;
  return { margin, offset, inSide: from + 2 * margin, outSide: to + 2 * offset };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

async function enlargeTogether(queue: { index: number; png: DecodedPng }[], size: number, out: Uint8Array): Promise<void> {
  const { width: from, channels } = queue[0].png;
  const { margin, offset, inSide, outSide } = atlasLayout(from, size);
  const n = queue.length;
  const atlasWidth = inSide * n;
  const atlas = Buffer.alloc(atlasWidth * inSide * channels);
  queue.forEach(({ png }, k) => {
    for (let y = 0; y < inSide; y++) {
      const sy = Math.min(from - 1, Math.max(0, y - margin));
      const dst = (y * atlasWidth + k * inSide) * channels;
      for (let x = 0; x < inSide; x++) {
        const sx = Math.min(from - 1, Math.max(0, x - margin));
        const src = (sy * from + sx) * channels;
        for (let c = 0; c < channels; c++) atlas[dst + x * channels + c] = png.pixels[src + c];
      }
    }
  });
  const { data, info } = await sharp(atlas, { raw: { width: atlasWidth, height: inSide, channels } })
    .resize(outSide * n, outSide, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== outSide * n || info.height !== outSide) {
    throw new Error(`batched resize gave ${info.width}×${info.height}×${info.channels}, expected ${outSide * n}×${outSide}×3`);
  }
  const bytesPerImage = size * size * 3;
  queue.forEach(({ index }, k) => {
    const target = out.subarray(index * bytesPerImage, (index + 1) * bytesPerImage);
    for (let y = 0; y < size; y++) {
      const src = ((y + offset) * outSide * n + k * outSide + offset) * 3;
      target.set(data.subarray(src, src + size * 3), y * size * 3);
    }
  });
}

/**
 * After `decodeFilesInto`: the decoded images moved together so kept image k sits at slot k
 * (the gaps of failed files closed), the kept files in order, and the failed ones with why.
 */
export function compactDecoded(
  files: readonly string[],
  failures: readonly (DecodeError | undefined)[],
  pixels: Uint8Array | undefined,
  bytesPerImage: number,
): { kept: string[]; failed: { path: string; reason: DecodeError['reason']; detail: string }[] } {
  const kept: string[] = [];
  const failed: { path: string; reason: DecodeError['reason']; detail: string }[] = [];
  files.forEach((file, i) => {
    const failure = failures[i];
    if (failure) {
      failed.push({ path: file, reason: failure.reason, detail: failure.message });
      return;
    }
    if (pixels && kept.length !== i) pixels.copyWithin(kept.length * bytesPerImage, i * bytesPerImage, (i + 1) * bytesPerImage);
    kept.push(file);
  });
  return { kept, failed };
}
