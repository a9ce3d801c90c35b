import { crc32, inflateSync } from 'node:zlib';

/**
 * A plain-TypeScript decoder for the simplest PNGs: 8-bit grayscale or RGB, not interlaced, no
 * transparency, no colour profile, gamma or EXIF chunk. That is what dataset exports write
 * (Fashion-MNIST, MNIST, CIFAR as PNG), and for them sharp spends ~1.7 ms of CPU per tiny
 * image on pipeline set-up and thread hand-offs, where this takes ~0.1 ms. PNG is lossless, so
 * the samples are exactly what libvips decodes (test/augment/pngFast.test.ts checks against
 * sharp). Anything else, including any file this does not fully verify (chunk CRCs, zlib
 * checksum, IEND present), returns undefined and goes the sharp way, which also names the error.
 */
export interface DecodedPng {
  width: number;
  height: number;
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
  /** height × width × channels bytes. */
  pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
/** Ancillary chunks that do not change how the pixels decode (for these colour types). */
const HARMLESS = new Set(['pHYs', 'tEXt', 'zTXt', 'iTXt', 'tIME', 'sRGB', 'bKGD', 'hIST', 'sPLT', 'sBIT', 'PLTE']);

/** `wanted(width, height)`: whether to go on once the header is read (skip the work for images that will go the sharp way anyway). */
export function decodeSimplePng(bytes: Uint8Array, maxPixels = Infinity, wanted: (width: number, height: number) => boolean = () => true): DecodedPng | undefined {
  if (bytes.length < 8 + 25 + 12) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIGNATURE[i]) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let channels: 1 | 3 = 1;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  for (let p = 8; p + 12 <= bytes.length; ) {
    const length = view.getUint32(p);
    if (p + 12 + length > bytes.length) return undefined;
    const type = String.fromCharCode(bytes[p + 4], bytes[p + 5], bytes[p + 6], bytes[p + 7]);
    if (crc32(bytes.subarray(p + 4, p + 8 + length)) !== view.getUint32(p + 8 + length)) return undefined;
    const data = bytes.subarray(p + 8, p + 8 + length);
    if (p === 8) {
      if (type !== 'IHDR' || length !== 13) return undefined;
      width = view.getUint32(p + 8);
      height = view.getUint32(p + 12);
      const [depth, colourType, compression, filter, interlace] = data.subarray(8, 13);
      if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
      if (colourType === 0) channels = 1;
      else if (colourType === 2) channels = 3;
      else return undefined;
      if (width < 1 || height < 1 || width * height > maxPixels || !wanted(width, height)) return undefined;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    } else if (!HARMLESS.has(type)) {
      return undefined;
    }
    p += 12 + length;
  }
  if (!sawEnd || idat.length === 0) return undefined;
  let filtered: Uint8Array;
  try {
    filtered = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch {
    return undefined;
  }
  const stride = width * channels;
  if (filtered.length !== height * (stride + 1)) return undefined;
  const pixels = unfilter(filtered, width, height, channels);
  return pixels && { width, height, channels, pixels };
}

/** Undo PNG's per-scanline filters (None, Sub, Up, Average, Paeth); undefined on an unknown filter. */
function unfilter(filtered: Uint8Array, width: number, height: number, bpp: number): Uint8Array | undefined {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = filtered[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp] : 0;
      const b = y > 0 ? out[up + x] : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const c = x >= bpp && y > 0 ? out[up + x - bpp] : 0;
          const pa = Math.abs(b - c);
          const pb = Math.abs(a - c);
          const pc = Math.abs(a + b - 2 * c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return undefined;
      }
      out[row + x] = (filtered[src + x] + predictor) & 255;
    }
  }
  return out;
}
