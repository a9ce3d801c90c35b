import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embed } from '../../pipelines/embed.js';
import { explore, type ExploreResult } from '../../pipelines/explore.js';
import { selectBackend } from '../../src/backend/select.js';
import { encoderDefaultsOf } from '../../src/config/pretrainOptions.js';
import { forEachNeighborBlock } from '../../src/eval/cosineNeighbors.js';
import { readNpy } from '../../src/io/npy.js';
import { collectErrors, findChromium, launchChromium } from './chromium.js';
import { writeTestExport } from './testEncoder.js';

const chrome = findChromium();
const SAMPLE = 'data/sample/test';
const K = 10;
/** A trained run to picture in experiments/sample/explore.png (README); without it, a test encoder and a temp screenshot. */
const RECORD_ENCODER = process.env.SIMCLR_EXPLORE_ENCODER;

describe.skipIf(!chrome)('simclr explore: the page in headless Chromium, from file://', () => {
  let root: string;
  let out: string;
  let result: ExploreResult;
  let paths: string[];
  /** Node's k nearest other images of every image (cosine), from its own embedding of the folder. */
  let expected: { indices: number[]; scores: number[] }[];
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'simclr-explore-'));
    await selectBackend('wasm', { quiet: true });
    const encoder = RECORD_ENCODER ?? (await writeTestExport(root, 28));
    const defaults = encoderDefaultsOf({ imageSize: 28 });
    out = path.join(root, 'explore');
    const common = { encoder, data: SAMPLE, backend: 'wasm' as const, batchSize: 128, concurrency: 4, maxPixels: 1e8, defaults };
    result = await explore({ ...common, out, seed: 0, neighbors: K, k: 20, map: 'auto' }, () => {});
    // the reference: embed the folder again and rank with the project's cosine neighbours
    const ref = path.join(root, 'ref.npy');
    await embed({ ...common, out: ref }, () => {});
    paths = fs.readFileSync(path.join(root, 'ref.paths.txt'), 'utf8').split('\n').filter(Boolean);
    const { data, shape } = await readNpy(ref);
    expected = [];
    forEachNeighborBlock({ data: data as Float32Array, n: shape[0], dim: shape[1] }, { data: data as Float32Array, n: shape[0], dim: shape[1] }, () => K + 1, (b) => {
      for (let q = 0; q < b.count; q++) {
        const row = { indices: [] as number[], scores: [] as number[] };
        for (let i = 0; i < K + 1 && row.indices.length < K; i++) {
          if (b.indices[q * b.stride + i] === b.start + q) continue;
          row.indices.push(b.indices[q * b.stride + i]);
          row.scores.push(b.similarities[q * b.stride + i]);
        }
        expected.push(row);
      }
    });
    browser = await launchChromium(chrome!);
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    errors = collectErrors(page);
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    await page.waitForFunction(() => document.getElementById('map')?.dataset.drawn !== undefined);
    expect(await page.evaluate(() => (window as any).explorer.sheetsLoaded())).toBe(1); // 1,000 thumbnails: one sheet
  });

  afterAll(async () => {
    await browser?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes the page, embeddings and TensorBoard projector files for every image', async () => {
    expect(result.images).toBe(1000);
    expect(result.labelled).toBe(true);
    expect(result.map).toBe('umap');
    for (const f of ['index.html', 'data.js', 'explorer.js', 'sprite-0.png', 'embeddings.npy', 'embeddings.paths.txt']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    const projector = path.join(out, 'projector');
    const tensors = fs.readFileSync(path.join(projector, 'tensors.tsv'), 'utf8').trimEnd().split('\n');
    expect(tensors).toHaveLength(1000);
    const { data: h } = await readNpy(path.join(out, 'embeddings.npy'));
    for (const row of [0, 999]) expect(tensors[row].split('\t').map((v) => Math.fround(Number(v)))).toEqual(Array.from(h.subarray(row * result.dim, (row + 1) * result.dim)));
    const meta = fs.readFileSync(path.join(projector, 'metadata.tsv'), 'utf8').trimEnd().split('\n');
    expect(meta[0]).toBe('file\tclass\tknn');
    expect(meta).toHaveLength(1001);
    expect(meta[1].split('\t')[1]).toBe(meta[1].split('/')[0]);
    const config = fs.readFileSync(path.join(projector, 'projector_config.pbtxt'), 'utf8');
    expect(config).toContain(`tensor_shape: ${result.dim}`);
    expect(config).toContain('single_image_dim: 32');
    expect(await sharp(path.join(projector, 'sprite.png')).metadata()).toMatchObject({ width: 32 * 32, height: 32 * 32 });
  });

  it('loads from file:// without console errors and draws every point', async () => {
    expect(errors).toEqual([]);
    expect(await page.evaluate(() => Number(document.getElementById('map')!.dataset.drawn))).toBe(1000);
    expect(await page.locator('#legend span').count()).toBe(10);
  });

  it("lists a clicked image's k nearest neighbours as Node ranks them, with their cosine", async () => {
    for (const i of [0, 137, 512, 999]) {
      const target: number[] = await page.evaluate((j) => (window as any).explorer.pointOnPage(j), i);
      const [x, y] = target.map(Math.round); // mouse events land on whole pixels
      await page.mouse.click(x, y);
      const selected: number = await page.evaluate(() => (window as any).explorer.selected());
      // the click picks the point nearest the cursor: image i, or one drawn at least as close
      const at: number[] = await page.evaluate((j) => (window as any).explorer.pointOnPage(j), selected);
      expect(Math.hypot(at[0] - x, at[1] - y)).toBeLessThanOrEqual(Math.hypot(target[0] - x, target[1] - y));
      const listed = await page.$$eval('#neighbors li', (lis) => lis.map((li) => [Number(li.dataset.index), Number(li.dataset.score), li.querySelector('.name')!.textContent]));
      expect(listed.map((l) => l[0])).toEqual(expected[selected].indices);
      listed.forEach((l, r) => expect(Math.abs((l[1] as number) - expected[selected].scores[r])).toBeLessThan(1e-6));
      expect(listed.map((l) => l[2])).toEqual(expected[selected].indices.map((j) => path.relative(SAMPLE, paths[j])));
    }
    expect(errors).toEqual([]);
  });

  it('finds images by file name', async () => {
    const query = 'sandal/01';
    await page.fill('#search', query);
    const want = paths.filter((p) => p.includes(query)).length;
    expect(await page.textContent('#found')).toBe(`${want} match${want === 1 ? '' : 'es'}`);
    await page.press('#search', 'Enter');
    const name = await page.textContent('#selected .name');
    expect(name).toContain(query);
    await page.fill('#search', '');
  });

  it('renders: a screenshot of the explorer on the bundled sample', async () => {
    await page.$eval('#neighbors li', (li) => (li as HTMLElement).click());
    const file = RECORD_ENCODER ? 'experiments/sample/explore.png' : path.join(root, 'explore.png');
    const png = await page.screenshot();
    await sharp(png).png({ palette: true, colours: 128 }).toFile(file); // a small PNG for the README
    const { width, height } = await sharp(file).metadata();
    expect([width, height]).toEqual([1200, 760]);
    expect(errors).toEqual([]);
  });
});
