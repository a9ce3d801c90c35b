import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeToRgb } from '../../augment/decode.js';
import { selectBackend } from '../../src/backend/select.js';
import { fromLayersModel } from '../../src/models/featureExtractor.js';
import { loadEncoder } from '../../src/run/loadEncoder.js';
import { bundle, collectErrors, findChromium, launchChromium, serveStatic, type StaticServer } from './chromium.js';
import { readmeBrowserExample } from './readmeExample.js';
import { writeTestExport } from './testEncoder.js';

const chrome = findChromium();
const SIZE = 28;
const SAMPLE = 'data/sample/test';
const AT_SIZE = ['ankle_boot', 'bag', 'coat', 'dress', 'sandal', 'trouser'].map((c) => `${c}/${fs.readdirSync(path.join(SAMPLE, c)).sort()[0]}`);

let root: string;
let server: StaticServer;
let browser: Browser;
/** Node's bytes (sharp) and h (wasm) for every served image, by URL. */
const node = new Map<string, { pixels: Uint8Array; h: Float32Array }>();

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Images the browser decodes itself: sample PNGs at the input size, an RGBA one, and two that need resizing. */
async function writeImages(dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  AT_SIZE.forEach((rel, i) => {
    fs.copyFileSync(path.join(SAMPLE, rel), path.join(dir, `sample${i}.png`));
    names.push(`sample${i}.png`);
  });
  const pattern = (w: number, h: number, channels: 3 | 4) => {
    const px = Buffer.alloc(w * h * channels);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const o = (y * w + x) * channels;
      px[o] = (x * 255) / (w - 1);
      px[o + 1] = (y * 255) / (h - 1);
      px[o + 2] = Math.floor(x / 6 + y / 6) % 2 ? 220 : 30; // coarse checks: a shifted crop shows
      if (channels === 4) px[o + 3] = (x + y) % 3 ? 255 : 96;
    }
    return sharp(px, { raw: { width: w, height: h, channels } }).png();
  };
  await pattern(SIZE, SIZE, 4).toFile(path.join(dir, 'alpha.png'));
  await pattern(84, 60, 3).toFile(path.join(dir, 'wide.png'));
  await pattern(40, 100, 3).toFile(path.join(dir, 'tall.png'));
  return [...names, 'alpha.png', 'wide.png', 'tall.png'];
}

describe.skipIf(!chrome)('simclr-ts/browser in headless Chromium', () => {
  let images: string[];
  let bundleBytes: number;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'simclr-browser-'));
    await selectBackend('wasm', { quiet: true });
    await writeTestExport(root, SIZE);
    images = await writeImages(path.join(root, 'images'));
    const { encoder } = await loadEncoder(path.join(root, 'export'));
    const extractor = fromLayersModel('export', encoder);
    for (const name of images) {
      const pixels = await decodeToRgb(path.join(root, 'images', name), SIZE);
      node.set(`/images/${name}`, { pixels, h: extractor.embed(pixels, 1) });
    }
    extractor.dispose();
    const site = path.join(root, 'site');
    fs.mkdirSync(site);
    bundleBytes = await bundle({ entry: path.resolve('test/browser/equivalencePage.ts') }, path.join(site, 'page.js'));
    fs.writeFileSync(path.join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>');
    await bundle({ source: readmeBrowserExample() }, path.join(site, 'readme.js'));
    fs.writeFileSync(path.join(site, 'readme.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><img src="/images/sample0.png"><script type="module" src="/readme.js"></script>');
    server = await serveStatic({
      '': site,
      images: path.join(root, 'images'),
      'encoder-export': path.join(root, 'export'),
      wasm: path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist'),
    });
    browser = await launchChromium(chrome!);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('bundles without Node imports', () => {
    expect(bundleBytes).toBeGreaterThan(0); // esbuild (platform browser) fails on any node: import
  });

  for (const backend of ['wasm', 'webgl', 'cpu']) {
    it(`gives Node's embeddings on ${backend} (same pixels, and the browser's own decoding)`, async () => {
      const page = await browser.newPage();
      const errors = collectErrors(page);
      await page.goto(`${server.url}/index.html`);
      await page.waitForFunction(() => 'equivalence' in globalThis);
      const urls = images.map((n) => `/images/${n}`);
      const atSize = urls.filter((u) => !/wide|tall/.test(u));
      const pixels = Buffer.concat(atSize.map((u) => node.get(u)!.pixels));
      const result = await page.evaluate(
        ([b, px, n, us]) => (globalThis as any).equivalence.run(b, '/encoder-export/', px, n, us),
        [backend, Array.from(pixels), atSize.length, urls] as const,
      );
      await page.close();
      expect(errors).toEqual([]);
      expect(result.active).toBe(backend);
      if (backend === 'webgl') expect(result.renderer).toMatch(/SwiftShader/i);
      expect(result.leaked).toBe(0);
      const dim = node.get(urls[0])!.h.length;
      // same bytes in: h within 1e-4 of Node's (wasm)
      const fromPixels = Float32Array.from(result.fromPixels);
      atSize.forEach((u, i) => expect(maxAbsDiff(fromPixels.subarray(i * dim, (i + 1) * dim), node.get(u)!.h)).toBeLessThan(1e-4));
      urls.forEach((u, i) => {
        const diff = maxAbsDiff(result.decoded[i], node.get(u)!.pixels);
        if (u.endsWith('alpha.png')) {
          // flattening onto white: the canvas composites premultiplied, libvips not; they round apart by ≤ 1
          expect(diff, u).toBeLessThanOrEqual(1);
        } else if (atSize.includes(u)) {
          // already at the input size: the browser's bytes are sharp's, so h is Node's too
          expect(diff, u).toBe(0);
          expect(maxAbsDiff(result.asBitmap[i], node.get(u)!.pixels), `${u} as ImageBitmap`).toBe(0);
          expect(maxAbsDiff(result.asImageData[i], node.get(u)!.pixels), `${u} as ImageData`).toBe(0);
          expect(maxAbsDiff(result.fromImages[i], node.get(u)!.h), u).toBeLessThan(1e-4);
        } else {
          // resized: sharp's crop geometry, the browser's own kernel (Chromium's scaler differs a little
          // between an <img> and an ImageBitmap, so each is held to the tolerance, not to the other)
          for (const [how, bytes] of [['img', result.decoded[i]], ['ImageBitmap', result.asBitmap[i]], ['ImageData', result.asImageData[i]]] as const) {
            expect(meanAbsDiff(bytes, node.get(u)!.pixels), `${u} as ${how}`).toBeLessThan(RESIZE_MEAN_TOLERANCE);
          }
        }
      });
    });
  }

  it("runs README's browser example and logs Node's h", async () => {
    const page = await browser.newPage();
    const errors = collectErrors(page);
    const logged = new Promise<number[]>((resolve) =>
      page.on('console', async (m) => {
        if (m.text().startsWith('h ')) resolve((await m.args()[1].jsonValue()) as number[]);
      }),
    );
    await page.goto(`${server.url}/readme.html`);
    const h = await logged;
    await page.close();
    expect(errors).toEqual([]);
    expect(maxAbsDiff(h, node.get('/images/sample0.png')!.h)).toBeLessThan(1e-4);
  });
});

/**
 * Mean |Δ| (0–255) of browser-resized bytes against sharp's on the checked pattern: 7.7 (wide) and
 * 3.5 (tall) measured in Chromium 156 (canvas 'high' smoothing vs lanczos3); a crop one pixel off
 * gives 20–52 on the same images.
 */
const RESIZE_MEAN_TOLERANCE = 12;

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}
