import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSkipped, loadImageDataset } from '../../src/data/dataset.js';
import { makeMessyFolder, tempDir, writeSolidPng, type Rgb } from './fixtures.js';

describe('loadImageDataset', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let expected: Awaited<ReturnType<typeof makeMessyFolder>>;

  beforeAll(async () => {
    ({ dir: root, cleanup } = await tempDir('dataset'));
    expected = await makeMessyFolder(path.join(root, 'messy'));
  });
  afterAll(() => cleanup());

  it('decodes the good images into a shared cache, image k at slot k, and counts the bad ones', async () => {
    const messy = path.join(root, 'messy');
    const size = 6;
    const progress: [number, number][] = [];
    const ds = await loadImageDataset(messy, { cacheSize: size, concurrency: 3, onProgress: (d, t) => progress.push([d, t]) });

    const rel = ds.paths.map((p) => path.relative(messy, p));
    expect(rel).toEqual(Object.keys(expected.good).sort());
    expect(ds.source.kind).toBe('memory');
    if (ds.source.kind !== 'memory') return;
    expect(ds.source.pixels.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(ds.source.count).toBe(rel.length);
    expect(ds.source.pixels.length).toBe(rel.length * size * size * 3);

    const pixels = ds.source.pixels;
    rel.forEach((file, k) => {
      // JPEG is lossy even for a flat colour; PNGs (8/16-bit, gray, alpha) must be exact to rounding.
      const tolerance = file.endsWith('.JPEG') ? 3 : 1;
      const colour: Rgb = expected.good[file];
      for (let p = 0; p < size * size; p++) {
        for (let c = 0; c < 3; c++) {
          const v = pixels[k * size * size * 3 + p * 3 + c];
          if (Math.abs(v - colour[c]) > tolerance) throw new Error(`${file} pixel ${p} channel ${c}: ${v}, expected ${colour[c]}`);
        }
      }
    });

    const skipped = Object.fromEntries(ds.skipped.map((s) => [path.relative(messy, s.path), s.reason]));
    expect(skipped).toEqual(expected.bad);
    expect(ds.skippedByReason).toEqual({
      'not-an-image': 1,
      corrupt: 1,
      empty: 1,
      'symlink-loop': 2,
      'directory-cycle': 1,
      'not-an-image-extension': 1,
    });
    const total = rel.length + 3; // + the three that fail to decode
    expect(progress).toHaveLength(total);
    expect(progress.at(-1)).toEqual([total, total]);
  });

  it('streams from files above the cache limit, still skipping every bad file (truncated ones too)', async () => {
    const messy = path.join(root, 'messy');
    const ds = await loadImageDataset(messy, { cacheSize: 32, cacheLimitBytes: 1000 });
    expect(ds.source).toMatchObject({ kind: 'files', size: 32 });
    if (ds.source.kind !== 'files') return;
    expect(ds.source.paths).toBe(ds.paths);
    // Every file is decoded once up front: a truncated body is caught here, not mid-run.
    const rel = ds.paths.map((p) => path.relative(messy, p));
    expect(rel).toEqual(Object.keys(expected.good).sort());
    expect(ds.skippedByReason).toMatchObject({ 'not-an-image': 1, empty: 1, corrupt: 1 });
  });

  it('skips images over the pixel limit in both modes', async () => {
    const dir = path.join(root, 'big');
    await writeSolidPng(path.join(dir, 'big.png'), [5, 5, 5], 100, 100);
    await writeSolidPng(path.join(dir, 'small.png'), [6, 6, 6], 10, 10);
    for (const cacheLimitBytes of [undefined, 0]) {
      const ds = await loadImageDataset(dir, { cacheSize: 4, maxPixels: 5000, cacheLimitBytes });
      expect(ds.paths.map((p) => path.basename(p))).toEqual(['small.png']);
      expect(ds.skipped).toMatchObject([{ path: path.join(dir, 'big.png'), reason: 'too-large' }]);
    }
  });

  // root reads everything, so this only runs as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('counts files and folders without read permission as unreadable', async () => {
    const dir = path.join(root, 'perm');
    await writeSolidPng(path.join(dir, 'ok.png'), [1, 1, 1]);
    await writeSolidPng(path.join(dir, 'locked.png'), [1, 1, 1]);
    await writeSolidPng(path.join(dir, 'locked-dir', 'a.png'), [1, 1, 1]);
    await chmod(path.join(dir, 'locked.png'), 0o000);
    await chmod(path.join(dir, 'locked-dir'), 0o000);
    try {
      const ds = await loadImageDataset(dir, { cacheSize: 4 });
      expect(ds.skippedByReason).toEqual({ unreadable: 1, 'unreadable-directory': 1 });
    } finally {
      await chmod(path.join(dir, 'locked-dir'), 0o755); // so the temp folder can be removed
    }
  });

  it('fails with one clear line on an empty folder and on a folder of bad files', async () => {
    const empty = path.join(root, 'empty');
    await mkdir(empty);
    await expect(loadImageDataset(empty, { cacheSize: 8 })).rejects.toThrow(`no readable images in ${empty} (the folder holds no image files)`);

    const junk = path.join(root, 'junk');
    await mkdir(junk);
    await writeFile(path.join(junk, 'a.png'), '');
    await writeFile(path.join(junk, 'b.jpg'), 'text');
    await expect(loadImageDataset(junk, { cacheSize: 8 })).rejects.toThrow(
      `no readable images in ${junk} (2 files skipped (1 empty, 1 not-an-image): ${junk}/a.png (empty), ${junk}/b.jpg (not-an-image))`,
    );
  });

  it('rejects a bad cache size or concurrency', async () => {
    await expect(loadImageDataset(root, { cacheSize: 0 })).rejects.toThrow('cache size must be a positive integer, got 0');
    await expect(loadImageDataset(root, { cacheSize: 8, concurrency: 1.5 })).rejects.toThrow('concurrency must be a positive integer, got 1.5');
  });

  it('decodes a non-square image to its centre crop (first row of a half-red, half-blue image)', async () => {
    // Left half red, right half blue, 8×4: cover-resize to 4×4 keeps the centre 4×4 → 2 red + 2 blue columns.
    const dir = path.join(root, 'split');
    await mkdir(dir);
    const raw = Buffer.alloc(8 * 4 * 3);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) raw.set(x < 4 ? [255, 0, 0] : [0, 0, 255], (y * 8 + x) * 3);
    await sharp(raw, { raw: { width: 8, height: 4, channels: 3 } }).png().toFile(path.join(dir, 's.png'));
    const ds = await loadImageDataset(dir, { cacheSize: 4 });
    if (ds.source.kind !== 'memory') throw new Error('expected memory source');
    const row = Array.from(ds.source.pixels.subarray(0, 12));
    expect(row).toEqual([255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]);
  });
});

describe('formatSkipped', () => {
  it('summarises counts by reason, most frequent first, and shows the first few paths', () => {
    const skipped = [
      { path: 'a.jpg', reason: 'corrupt' },
      { path: 'b.png', reason: 'empty' },
      { path: 'c.jpg', reason: 'corrupt' },
    ];
    expect(formatSkipped(skipped, 2)).toBe('3 files skipped (2 corrupt, 1 empty): a.jpg (corrupt), b.png (empty), and 1 more');
    expect(formatSkipped(skipped.slice(0, 1))).toBe('1 file skipped (1 corrupt): a.jpg (corrupt)');
    expect(formatSkipped([])).toBe('no files skipped');
  });
});
