import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRETRAIN_DEFAULTS } from '../../src/config/pretrainOptions.js';
import { loadImageDataset, type ImageDataset } from '../../src/data/dataset.js';
import { countByReason } from '../../src/data/skipped.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { makeBadImageCorpus, type BadImageCorpus } from '../fixtures/badImages.js';
import { tempDir } from '../pipelines/tinyData.js';
import { DIST } from '../dist.js';

let root: string;
let corpus: BadImageCorpus;
const MAX_PIXELS = 1_000_000; // below the 3000×3000 PNG, above everything else
const asRoot = process.getuid?.() === 0;

beforeAll(async () => {
  root = await tempDir('simclr-bad-');
  fs.chmodSync(root, 0o755);
  corpus = await makeBadImageCorpus(path.join(root, 'corpus'));
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** What a reader of the corpus must end with: used paths (sorted) and skip counts. */
function expected(readable: boolean) {
  const used = [...corpus.good.filter((p) => p !== corpus.bigPng), ...(readable ? corpus.noPermission : [])].sort();
  const skipped = [
    ...corpus.bad,
    { path: corpus.bigPng, reason: 'too-large' },
    ...(readable ? [] : corpus.noPermission.map((p) => ({ path: p, reason: 'unreadable' }))),
  ];
  return { used, skipped, byReason: countByReason(skipped) };
}

function checkDataset(ds: Pick<ImageDataset, 'paths' | 'skipped' | 'skippedByReason'>, readable: boolean): void {
  const want = expected(readable);
  expect([...ds.paths].sort()).toEqual(want.used);
  const got = new Map(ds.skipped.map((s) => [s.path, s.reason]));
  for (const s of want.skipped) expect(got.get(s.path), s.path).toBe(s.reason);
  expect(ds.skipped).toHaveLength(want.skipped.length);
  expect(ds.skippedByReason).toEqual(want.byReason);
}

describe('a folder of malformed and hostile images', () => {
  it('holds at least 200 files, most of them bad', () => {
    expect(corpus.good.length + corpus.bad.length + corpus.noPermission.length).toBeGreaterThanOrEqual(200);
    expect(corpus.bad.length).toBeGreaterThan(100);
  });

  for (const mode of ['memory', 'files'] as const) {
    it(`loads every good image and skips every bad one by reason (${mode} source)`, async () => {
      const ds = await loadImageDataset(corpus.root, {
        cacheSize: 16,
        maxPixels: MAX_PIXELS,
        concurrency: 4,
        cacheLimitBytes: mode === 'memory' ? undefined : 0,
      });
      expect(ds.source.kind).toBe(mode);
      checkDataset(ds, asRoot);
    });
  }

  it('without --max-pixels the real 3000×3000 image loads, the declared 100000² header does not', async () => {
    const ds = await loadImageDataset(corpus.root, { cacheSize: 8, concurrency: 4 });
    expect(ds.paths).toContain(corpus.bigPng);
    expect(ds.skipped.find((s) => s.path.endsWith('declared-huge.png'))?.reason).toBe('too-large');
  });

  it('applies EXIF orientation and takes the first frame of an animated GIF', async () => {
    const ds = await loadImageDataset(corpus.root, { cacheSize: 16, maxPixels: MAX_PIXELS, concurrency: 4 });
    if (ds.source.kind !== 'memory') throw new Error('expected an in-memory cache');
    const pixels = ds.source.pixels;
    const rgbAt = (image: number, x: number, y: number) => {
      const o = ((image * 16 + y) * 16 + x) * 3;
      return [pixels[o], pixels[o + 1], pixels[o + 2]];
    };
    // Stored landscape, left half red; orientation 6 turns it upright: red on top, blue below.
    const rotated = ds.paths.indexOf(corpus.exifRotated);
    for (const x of [0, 15]) {
      const [r, , b] = rgbAt(rotated, x, 1);
      expect(r > 200 && b < 50, `top row x=${x}: ${rgbAt(rotated, x, 1)}`).toBe(true);
      const [r2, , b2] = rgbAt(rotated, x, 14);
      expect(b2 > 200 && r2 < 50, `bottom row x=${x}: ${rgbAt(rotated, x, 14)}`).toBe(true);
    }
    const [r, , b] = rgbAt(ds.paths.indexOf(corpus.animated), 8, 8);
    expect(r > 200 && b < 50).toBe(true);
  });

  it.skipIf(!asRoot)('as an unprivileged user (nobody), files without read permission are skipped as unreadable', () => {
    const script = `
      const { loadImageDataset } = await import(${JSON.stringify(path.join(DIST, 'src/data/dataset.js'))});
      const ds = await loadImageDataset(${JSON.stringify(corpus.root)}, { cacheSize: 16, maxPixels: ${MAX_PIXELS}, concurrency: 4 });
      console.log(JSON.stringify({ paths: ds.paths, skipped: ds.skipped, skippedByReason: ds.skippedByReason }));`;
    const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    checkDataset(JSON.parse(out), false);
  });

  it('trains over the folder (wasm, tiny model) and records every skip by reason in config.json', async () => {
    const out = path.join(root, 'run');
    const lines: string[] = [];
    const result = await pretrain(
      {
        ...PRETRAIN_DEFAULTS,
        data: corpus.root,
        out,
        backend: 'wasm',
        width: 0.125,
        imageSize: 16,
        batchSize: 8,
        projDim: 16,
        steps: 2,
        warmupEpochs: 0,
        logEvery: 1,
        workers: 0,
        concurrency: 4,
        maxPixels: MAX_PIXELS,
      },
      { log: (line) => lines.push(line) },
    );
    expect(result.finalStep).toBe(2);
    const want = expected(asRoot);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.dataset.images).toBe(want.used.length);
    expect(config.dataset.skipped).toEqual(want.byReason);
    expect(lines.join('\n')).toContain(`${want.skipped.length} files skipped (`);
  });
});
