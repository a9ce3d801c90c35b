import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_PIXELS } from '../../augment/decode.js';
import { compactDecoded, decodeFilesInto } from '../../augment/decodeBatch.js';
import type { ViewSource } from '../../augment/source.js';
import { scanImages, type ScanResult, type SkippedFile } from './scan.js';
import { countByReason, formatSkipped } from './skipped.js';

export { formatSkipped } from './skipped.js';

/** A folder of unlabeled images, decoded (or validated) once and ready for the view stage. */
export interface ImageDataset {
  root: string;
  /** The usable images, in scan order; index i is image i of `source`. */
  paths: string[];
  source: ViewSource;
  /** Files found but not usable: scan and decode failures, with reasons. */
  skipped: SkippedFile[];
  skippedByReason: Record<string, number>;
}

export interface LoadImageOptions {
  /** Side of the square cache resolution (pixels). */
  cacheSize: number;
  /** Files decoded at once (sharp works on libuv's thread pool). */
  concurrency?: number;
  /** Images with more input pixels are skipped as 'too-large'. */
  maxPixels?: number;
  /** Above this many cache bytes, stream from disk instead of decoding into memory. */
  cacheLimitBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_CACHE_LIMIT_BYTES = 2 * 1024 ** 3;

/** Scan `root` recursively and load every readable image (see `loadScannedImages`). */
export async function loadImageDataset(root: string, opts: LoadImageOptions): Promise<ImageDataset> {
  return loadScannedImages(root, await scanImages(root), opts);
}

/**
 * Decode the scanned files into one SharedArrayBuffer-backed cache (count × S × S × 3 bytes),
 * or, when that would exceed `cacheLimitBytes`, decode each file once to check it and return a
 * streaming source. Unusable files are skipped and counted; no usable file at all is an error.
 */
export async function loadScannedImages(root: string, scan: ScanResult, opts: LoadImageOptions): Promise<ImageDataset> {
  const size = opts.cacheSize;
  if (!Number.isInteger(size) || size < 1) throw new Error(`cache size must be a positive integer, got ${size}`);
  const concurrency = opts.concurrency ?? defaultConcurrency();
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const files = scan.files;
  const bytesPerImage = size * size * 3;
  const inMemory = files.length * bytesPerImage <= (opts.cacheLimitBytes ?? DEFAULT_CACHE_LIMIT_BYTES);

  const pixels = inMemory ? new Uint8Array(new SharedArrayBuffer(files.length * bytesPerImage)) : undefined;
  // Streaming mode decodes too (and drops the pixels): a header check passes truncated files,
  // which would then fail mid-run instead of being counted here.
  let done = 0;
  const failures = await decodeFilesInto(files, size, pixels, {
    maxPixels,
    concurrency,
    onDecoded: () => opts.onProgress?.(++done, files.length),
  });

  const { kept: paths, failed } = compactDecoded(files, failures, pixels, bytesPerImage);
  const skipped = [...scan.skipped, ...failed];

  if (paths.length === 0) {
    const why = skipped.length > 0 ? formatSkipped(skipped) : 'the folder holds no image files';
    throw new Error(`no readable images in ${root} (${why})`);
  }
  const source: ViewSource = pixels
    ? { kind: 'memory', size, count: paths.length, pixels: pixels.subarray(0, paths.length * bytesPerImage) }
    : { kind: 'files', size, paths, maxPixels };
  return { root, paths, source, skipped, skippedByReason: countByReason(skipped) };
}

function defaultConcurrency(): number {
  return Math.max(4, 2 * availableParallelism());
}
