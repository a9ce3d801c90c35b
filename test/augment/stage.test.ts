import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeToRgb } from '../../augment/decode.js';
import { fromRgbBytes } from '../../augment/image.js';
import { DEFAULT_RECIPE, parseRecipe } from '../../augment/recipe.js';
import { Rng } from '../../augment/rng.js';
import { TwoViewStage, type TwoViewStageOptions } from '../../augment/stage.js';
import { makeView } from '../../augment/view.js';
import { viewPairsGrid } from '../../augment/viewGrid.js';
import { ViewMaker } from '../../augment/viewMaker.js';
import { memorySource } from './stageFixtures.js';

const S = 16;
const source = memorySource(12, 20);
const base: TwoViewStageOptions = { source, recipe: DEFAULT_RECIPE, imageSize: S, batchSize: 4, seed: 7, workers: 0 };
const viewLength = S * S * 3;

async function batchOf(options: Partial<TwoViewStageOptions>, step: number): Promise<Float32Array> {
  const stage = new TwoViewStage({ ...base, ...options });
  try {
    return await stage.batch(step);
  } finally {
    await stage.close();
  }
}

describe('TwoViewStage', () => {
  it('gives [2B, S, S, 3] with view v of batch image i at row v·B + i', async () => {
    const stage = new TwoViewStage(base);
    const batch = await stage.batch(2);
    expect(batch.length).toBe(2 * 4 * viewLength);
    expect(batch.every((v) => v >= 0 && v <= 1)).toBe(true);
    const images = stage.imagesForStep(2);
    const recipe = parseRecipe(DEFAULT_RECIPE, { imageSize: S });
    for (let i = 0; i < 4; i++) {
      const n = 20 * 20 * 3;
      const src = fromRgbBytes(source.pixels.subarray(images[i] * n, (images[i] + 1) * n), 20, 20);
      for (let v = 0; v < 2; v++) {
        const expected = makeView(src, recipe, Rng.derive(7, 2, i, v)).data;
        expect(batch.subarray((v * 4 + i) * viewLength, (v * 4 + i + 1) * viewLength)).toEqual(expected);
      }
    }
    await stage.close();
  });

  it('depends only on (seed, step): same seed same batch, resume reproduces, other step or seed differs', async () => {
    const a = await batchOf({}, 5);
    expect(await batchOf({}, 5)).toEqual(a);
    // Walking 0..5 with prefetch gives the same step 5 as jumping straight to it.
    const stage = new TwoViewStage(base);
    let walked: Float32Array | undefined;
    for (let t = 0; t <= 5; t++) walked = await stage.batch(t);
    await stage.close();
    expect(walked).toEqual(a);
    expect(await batchOf({}, 6)).not.toEqual(a);
    expect(await batchOf({ seed: 8 }, 5)).not.toEqual(a);
  });

  it('starts making step t+1 as soon as step t is asked for, and reuses it', async () => {
    const write = vi.spyOn(ViewMaker.prototype, 'write');
    const stage = new TwoViewStage(base);
    await stage.batch(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(write.mock.calls.map(([job]) => job.step)).toEqual([3, 4]);
    await stage.batch(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(write.mock.calls.map(([job]) => job.step)).toEqual([3, 4, 5]); // 4 came from the prefetch
    write.mockRestore();
    await stage.close();
  });

  it('visits every image once per epoch, in a new order each epoch', () => {
    const stage = new TwoViewStage(base);
    expect(stage.stepsPerEpoch).toBe(3);
    const epoch = (e: number) => [0, 1, 2].flatMap((t) => stage.imagesForStep(3 * e + t));
    for (const e of [0, 1, 4]) expect([...epoch(e)].sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    expect(epoch(0)).not.toEqual(epoch(1));
    const odd = new TwoViewStage({ ...base, batchSize: 5 }); // 12 images: 2 steps, 2 dropped per epoch
    expect(odd.stepsPerEpoch).toBe(2);
    expect(new Set([0, 1].flatMap((t) => odd.imagesForStep(t))).size).toBe(10);
  });

  it('takes the batches of an epochOrder (a pair-aware sampler), the same on a fresh stage (resume), and checks its length', () => {
    const order = (e: number) => Array.from({ length: 12 }, (_, i) => (i * 5 + e) % 12);
    const stage = new TwoViewStage({ ...base, epochOrder: order });
    expect(stage.imagesForStep(4)).toEqual(order(1).slice(4, 8));
    expect(new TwoViewStage({ ...base, epochOrder: order }).imagesForStep(4)).toEqual(stage.imagesForStep(4));
    const short = new TwoViewStage({ ...base, epochOrder: () => [0, 1, 2] });
    expect(() => short.imagesForStep(0)).toThrow(/epoch order 0 must hold 12 image indices below 12/);
  });

  it("'paper' protocol: view 1 is crop only, view 2 the full recipe", async () => {
    const stage = new TwoViewStage({ ...base, recipe: 'color+grayscale', protocol: 'paper' });
    const batch = await stage.batch(0);
    const i = 1;
    const n = 20 * 20 * 3;
    const index = stage.imagesForStep(0)[i];
    const src = fromRgbBytes(source.pixels.subarray(index * n, (index + 1) * n), 20, 20);
    const v1 = makeView(src, parseRecipe('crop', { imageSize: S }), Rng.derive(7, 0, i, 0)).data;
    const v2 = makeView(src, parseRecipe('crop+color+grayscale', { imageSize: S }), Rng.derive(7, 0, i, 1)).data;
    expect(batch.subarray(i * viewLength, (i + 1) * viewLength)).toEqual(v1);
    expect(batch.subarray((4 + i) * viewLength, (5 + i) * viewLength)).toEqual(v2);
    await stage.close();
  });

  it('rejects bad options with one clear line', async () => {
    expect(() => new TwoViewStage({ ...base, batchSize: 13 })).toThrow(/batchSize 13 is larger than the 12 images/);
    expect(() => new TwoViewStage({ ...base, batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
    expect(() => new TwoViewStage({ ...base, recipe: 'crop+zoom' })).toThrow(/unknown op "zoom"/);
    expect(() => new TwoViewStage({ ...base, source: { ...source, count: 11 } })).toThrow(/memory source has/);
    expect(() => new TwoViewStage({ ...base, source: { kind: 'files', size: 8, paths: [] } })).toThrow(/no images/);
    const stage = new TwoViewStage(base);
    expect(() => stage.imagesForStep(-1)).toThrow(/step must be a non-negative integer/);
    await stage.close();
    await expect(stage.batch(0)).rejects.toThrow(/after close/);
  });

  it('workers > 0 from TypeScript sources, which have no worker.js, is one clear error', () => {
    // test/augment/workers.test.ts runs workers from the build.
    expect(() => new TwoViewStage({ ...base, workers: 2 })).toThrow(
      /worker script .*augment\/worker\.js not found: worker threads run the compiled package \(npm run build\), or pass workers: 0/,
    );
  });
});

describe('files source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'augment-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('decodes on demand and matches a memory source of the same decoded pixels', async () => {
    const paths: string[] = [];
    for (let i = 0; i < 6; i++) {
      const raw = Buffer.from(memorySource(1, 24, 100 + i).pixels);
      const path = join(dir, `img${i}.png`);
      await sharp(raw, { raw: { width: 24, height: 24, channels: 3 } }).png().toFile(path);
      paths.push(path);
    }
    const decoded = new Uint8Array(new SharedArrayBuffer(6 * 20 * 20 * 3));
    for (let i = 0; i < 6; i++) decoded.set(await decodeToRgb(paths[i], 20), i * 20 * 20 * 3);
    const common = { recipe: DEFAULT_RECIPE, imageSize: S, batchSize: 3, seed: 3, workers: 0, concurrency: 2 };
    const fromFiles = await batchOf({ ...common, source: { kind: 'files', size: 20, paths } }, 4);
    const fromMemory = await batchOf({ ...common, source: { kind: 'memory', size: 20, count: 6, pixels: decoded } }, 4);
    expect(fromFiles).toEqual(fromMemory);
  });
});

describe('viewPairsGrid', () => {
  it('tiles view 1 | view 2 per image, one row per pair', () => {
    const B = 3, s = 2;
    const batch = new Float32Array(2 * B * s * s * 3).map((_, i) => (i % 251) / 250);
    const grid = viewPairsGrid(batch, B, s, 2);
    expect([grid.width, grid.height, grid.rgb.length]).toEqual([4, 4, 48]);
    const at = (x: number, y: number) => Array.from(grid.rgb.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    const src = (row: number, x: number, y: number) =>
      [0, 1, 2].map((c) => Math.round(batch[row * s * s * 3 + (y * s + x) * 3 + c] * 255));
    expect(at(1, 0)).toEqual(src(0, 1, 0)); // image 0, view 1
    expect(at(2, 1)).toEqual(src(B + 0, 0, 1)); // image 0, view 2
    expect(at(3, 3)).toEqual(src(B + 1, 1, 1)); // image 1, view 2
    expect(() => viewPairsGrid(batch, 4, s)).toThrow(/expected/);
  });
});
