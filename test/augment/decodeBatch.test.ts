import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type PngOptions } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToRgb } from '../../augment/decode.js';
import { decodeFilesInto } from '../../augment/decodeBatch.js';
import { decodeSimplePng } from '../../augment/pngFast.js';

/** Noise plus a smooth ramp: the noise exercises every PNG filter and the resize kernels at their worst. */
function samples(w: number, h: number, channels: number, seed: number): Buffer {
  const out = Buffer.alloc(w * h * channels);
  let s = seed * 2654435761;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const x = (i / channels) % w;
    out[i] = i % 3 === 0 ? (s >>> 24) : Math.round((255 * x) / w);
  }
  return out;
}

let dir: string;
const files: Record<string, string> = {};

async function png(name: string, w: number, h: number, channels: 1 | 3 | 4, opts: PngOptions = {}, seed = 1): Promise<string> {
  const file = path.join(dir, `${name}.png`);
  await sharp(samples(w, h, channels, seed), { raw: { width: w, height: h, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .png(opts)
    .toFile(file);
  files[name] = file;
  return file;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'decode-batch-'));
  // The fast path: simple PNGs, square, at or below the size.
  for (const side of [28, 16, 30, 24, 32, 13]) {
    for (let k = 0; k < 3; k++) {
      await png(`gray${side}-${k}`, side, side, 1, { adaptiveFiltering: k === 1, compressionLevel: k }, 10 * side + k);
      await png(`rgb${side}-${k}`, side, side, 3, { adaptiveFiltering: k !== 1 }, 20 * side + k);
    }
  }
  // The sharp path: not square, larger, alpha, interlaced, 16-bit, palette, JPEG, broken.
  await png('wide', 40, 28, 3);
  await png('large', 100, 100, 1);
  await png('alpha', 28, 28, 4);
  await png('interlaced', 28, 28, 3, { progressive: true });
  await png('palette', 28, 28, 3, { palette: true });
  files.deep = path.join(dir, 'deep.png');
  await sharp(samples(28, 28, 3, 5), { raw: { width: 28, height: 28, channels: 3 } }).toColourspace('rgb16').png().toFile(files.deep);
  files.jpeg = path.join(dir, 'photo.jpg');
  await sharp(samples(28, 28, 3, 6), { raw: { width: 28, height: 28, channels: 3 } }).jpeg().toFile(files.jpeg);
  const whole = fs.readFileSync(files['gray28-0']);
  files.truncated = path.join(dir, 'truncated.png');
  fs.writeFileSync(files.truncated, whole.subarray(0, whole.length - 20));
  files.flipped = path.join(dir, 'flipped.png');
  const flipped = Buffer.from(whole);
  flipped[60] ^= 0xff; // inside IDAT: the chunk CRC no longer matches
  fs.writeFileSync(files.flipped, flipped);
  files.empty = path.join(dir, 'empty.png');
  fs.writeFileSync(files.empty, '');
  files.missing = path.join(dir, 'missing.png');
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('decodeSimplePng', () => {
  it('gives exactly the samples libvips decodes, for every filter type', async () => {
    for (const name of Object.keys(files).filter((n) => /^(gray|rgb)\d/.test(n))) {
      const bytes = fs.readFileSync(files[name]);
      const png = decodeSimplePng(bytes)!;
      expect(png, name).toBeDefined();
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      expect([png.width, png.height]).toEqual([info.width, info.height]);
      // libvips hands gray PNGs out as RGB here: compare channel by channel.
      for (let p = 0; p < png.width * png.height; p++) {
        for (let c = 0; c < info.channels; c++) {
          if (data[p * info.channels + c] !== png.pixels[p * png.channels + (png.channels === 1 ? 0 : c)]) {
            throw new Error(`${name}: pixel ${p} channel ${c} differs`);
          }
        }
      }
    }
  });

  it('declines what it does not fully handle or verify', () => {
    for (const name of ['alpha', 'interlaced', 'palette', 'deep', 'jpeg', 'truncated', 'flipped']) {
      expect(decodeSimplePng(fs.readFileSync(files[name])), name).toBeUndefined();
    }
    expect(decodeSimplePng(fs.readFileSync(files['gray28-0']), 28 * 28 - 1), 'over maxPixels').toBeUndefined();
  });
});

describe('decodeFilesInto', () => {
  for (const size of [32, 64]) {
    it(`matches decodeToRgb byte for byte at size ${size}, fast path or not`, async () => {
      const names = Object.keys(files);
      const list = names.map((n) => files[n]);
      const out = new Uint8Array(list.length * size * size * 3);
      const failures = await decodeFilesInto(list, size, out, { concurrency: 4 });
      for (const [i, name] of names.entries()) {
        let expected: Uint8Array | undefined;
        let reason: string | undefined;
        try {
          expected = await decodeToRgb(list[i], size);
        } catch (err) {
          reason = (err as { reason: string }).reason;
        }
        expect(failures[i]?.reason, name).toBe(reason);
        if (!expected) continue;
        const got = out.subarray(i * size * size * 3, (i + 1) * size * size * 3);
        let differing = 0;
        for (let j = 0; j < got.length; j++) if (got[j] !== expected[j]) differing++;
        expect(differing, `${name} at ${size}`).toBe(0);
      }
      for (const name of ['truncated', 'empty', 'missing']) expect(failures[names.indexOf(name)], name).toBeDefined();
    });
  }

  it('only checks the files when there is nowhere to put the pixels', async () => {
    const list = [files['gray28-0'], files.truncated, files.large];
    const failures = await decodeFilesInto(list, 32, undefined, { concurrency: 2 });
    expect(failures.map((f) => f?.reason)).toEqual([undefined, 'corrupt', undefined]);
  });
});
