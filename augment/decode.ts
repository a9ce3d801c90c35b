import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import sharp from 'sharp';

/** Why a file could not be used; counted and reported by the data scan. */
export class DecodeError extends Error {
  constructor(
    readonly reason: 'unreadable' | 'not-an-image' | 'corrupt' | 'too-large' | 'empty',
    message: string,
  ) {
    super(message);
    this.name = 'DecodeError';
  }
}

export interface DecodeOptions {
  /** Refuse images with more input pixels than this (decompression bombs). */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;

/**
 * Decode any image sharp reads into size × size × 3 RGB bytes: EXIF orientation applied,
 * converted to sRGB, alpha flattened onto white, grayscale expanded to three channels,
 * shorter side resized to `size` and centre-cropped (the cache keeps the whole centre,
 * random crops are taken later by the augmentation stage). Animated images: first frame.
 */
export async function decodeToRgb(
  input: string | Buffer,
  size: number,
  options: DecodeOptions = {},
): Promise<Uint8Array> {
  const limitInputPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  try {
    const { data, info } = await sharp(input, { limitInputPixels, failOn: 'error', pages: 1 })
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .resize(size, size, { fit: 'cover', position: 'centre' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.length);
    // sharp keeps single-channel output for some grayscale inputs: expand to RGB.
    const out = new Uint8Array(size * size * 3);
    for (let i = 0, n = size * size; i < n; i++) {
      const v = data[i * info.channels];
      out[3 * i] = v;
      out[3 * i + 1] = v;
      out[3 * i + 2] = v;
    }
    return out;
  } catch (err) {
    throw await classifyDecodeError(err, input);
  }
}

/** Map a sharp/fs failure on `input` to a DecodeError reason (shared with header-only checks). */
export async function classifyDecodeError(err: unknown, input: string | Buffer): Promise<DecodeError> {
  const msg = err instanceof Error ? err.message : String(err);
  // sharp reports zero-byte and unreadable files as an "unsupported image format": look at the file.
  const problem = await inputProblem(input);
  if (problem) return problem;
  if (/EACCES|EPERM|EISDIR|ENOENT|ELOOP|file is missing|permission denied/i.test(msg)) return new DecodeError('unreadable', msg);
  if (/pixel limit|exceeds pixel/i.test(msg)) return new DecodeError('too-large', msg);
  if (/unsupported image format/i.test(msg)) return new DecodeError('not-an-image', msg);
  if (/empty|zero/i.test(msg)) return new DecodeError('empty', msg);
  return new DecodeError('corrupt', msg);
}

async function inputProblem(input: string | Buffer): Promise<DecodeError | undefined> {
  if (typeof input !== 'string') return input.length === 0 ? new DecodeError('empty', 'empty buffer') : undefined;
  try {
    const st = await stat(input);
    if (st.isFile() && st.size === 0) return new DecodeError('empty', 'file is empty (0 bytes)');
    await access(input, constants.R_OK);
  } catch (err) {
    return new DecodeError('unreadable', err instanceof Error ? err.message : String(err));
  }
  return undefined;
}
