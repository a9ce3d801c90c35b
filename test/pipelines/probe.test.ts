import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbeSummary, probe, type ProbeArgs } from '../../pipelines/probe.js';
import { exportEncoder } from '../../pipelines/export.js';
import { dirSaveHandler } from '../../src/io/modelStore.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

let root: string;
const quiet = () => {};
const defaults = { imageSize: 16, architecture: { backbone: 'resnet18' as const, width: 0.125, cifarStem: true, projDim: 16, projLayers: 2 } };

function args(overrides: Partial<ProbeArgs>): ProbeArgs {
  return {
    encoder: 'raw',
    train: path.join(root, 'train'),
    test: path.join(root, 'test'),
    backend: 'wasm',
    baselines: false,
    k: 5,
    seed: 0,
    concurrency: 4,
    defaults,
    ...overrides,
  };
}

beforeAll(async () => {
  root = await tempDir('simclr-probe-');
  // Same class colours in both splits (same seed pattern), different noise draws.
  await makeTinyImageFolder(path.join(root, 'train'), 3, 12, 16, 1);
  await makeTinyImageFolder(path.join(root, 'test'), 3, 6, 16, 2);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('simclr probe', () => {
  it('--pairs: partner retrieval of held-out pairs for the encoder and the baselines, bad rows counted', async () => {
    const file = path.join(root, 'held-out.csv');
    // Same-class pairs of the colour-coded test images: raw pixels find the partner among the class.
    fs.writeFileSync(file, ['class0/0.png,class0/1.png', 'class1/2.png,class1/3.png', 'class2/4.png,class2/5.png', 'class0/0.png,missing.png'].join('\n'));
    const report = await probe(args({ encoder: 'raw', baselines: true, pairs: file }), quiet);
    expect(report.pairs?.queries).toBe(6);
    // Six images per class: the partner is among the 5 same-class images, which raw pixels rank first.
    expect(report.pairs!.recallAt[5]).toBe(1);
    expect(report.pairs!.mrr).toBeGreaterThan(0.2);
    expect(report.baselines?.random?.pairs?.queries).toBe(6);
    expect(formatProbeSummary(report)).toMatch(/partner retrieval: 6 queries[\s\S]*held-out pairs\s+R@1\s+R@5\s+R@10\s+MRR\nraw\s[\s\S]*\nrandom\s/);
    await expect(probe(args({ pairs: path.join(root, 'none.csv') }), quiet)).rejects.toThrow(/--pairs .*none\.csv: cannot read it/);
  }, 120_000);

  it('scores raw pixels on a colour-coded toy task near 100%, with the baseline rows and a JSON file', async () => {
    const out = path.join(root, 'probe.json');
    const report = await probe(args({ encoder: 'raw', baselines: true, out }), quiet);
    expect(report.features).toEqual({ train: 36, test: 18, dim: 16 * 16 * 3 });
    expect(report.linear.top1).toBeGreaterThan(0.95);
    expect(report.knn.top1).toBeGreaterThan(0.95);
    expect(report.retrieval.recallAt[1]).toBeGreaterThan(0.95);
    expect(report.baselines?.random).toBeDefined();
    expect(report.baselines?.raw).toBeUndefined(); // the encoder itself is raw
    // The paired comparison counts the same test images the two top-1 figures count.
    const vsRandom = report.comparisons?.random;
    expect(vsRandom).toBeDefined();
    expect(vsRandom!.difference).toBeCloseTo(report.linear.top1 - report.baselines!.random!.linear.top1, 12);
    expect(vsRandom!.onlyA - vsRandom!.onlyB).toBe(Math.round(18 * vsRandom!.difference));
    expect(report.comparisons?.raw).toBeUndefined();
    const saved = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(saved.linear.top1).toBe(report.linear.top1);
    expect(saved.linear.top1Hits).toBeUndefined(); // per-image hits stay out of the JSON
    expect(saved.comparisons.random.onlyA).toBe(vsRandom!.onlyA);
    expect(saved.classes).toEqual(['class0', 'class1', 'class2']);
  });

  it('--label-fraction: linear probe and kNN on stratified, seeded subsets, a row each; the whole set reuses the main scores', async () => {
    const report = await probe(args({ encoder: 'raw', labelFraction: '0.25,1' }), quiet);
    const rows = report.labelSubsets!;
    expect(rows.map((r) => [r.features, r.subset, r.trainImages])).toEqual([
      ['raw', { fraction: 0.25 }, 9],
      ['raw', { fraction: 1 }, 36],
    ]);
    expect(rows[1].linear.top1).toBe(report.linear.top1);
    expect(rows[1].knn.top1).toBe(report.knn.top1);
    expect(rows[0].linear.top1).toBeGreaterThan(0.9); // colour-coded classes: 3 images each suffice
    const again = await probe(args({ encoder: 'raw', perClass: '3' }), quiet);
    expect(again.labelSubsets![0].linear).toEqual(rows[0].linear); // 3 per class = 25 % here, same seed ⇒ same subset
    await expect(probe(args({ perClass: '1' }), quiet)).rejects.toThrow(/1 per class: .*at least 2 images of a class/);
  });

  it('--compare: other encoders get rows, paired against --encoder and against the baselines', async () => {
    // A saved encoder directory: an untrained encoder of `defaults`' architecture.
    const dir = path.join(root, 'compared');
    const model = SimclrModel.build({ ...defaults.architecture, imageSize: defaults.imageSize, seed: 7 });
    await model.encoder.save(dirSaveHandler(dir));
    model.dispose();
    const report = await probe(args({ encoder: 'raw', compare: [dir, 'raw'], baselines: true, labelFraction: '0.5,1' }), quiet);
    expect(Object.keys(report.baselines!)).toEqual([dir, 'random']); // 'raw' is the encoder itself
    const compared = report.baselines![dir];
    expect(report.comparisons![dir].difference).toBeCloseTo(report.linear.top1 - compared.linear.top1, 12);
    // The compared encoder against the baselines it is not: random (raw is the main encoder here).
    expect(Object.keys(compared.comparisons!)).toEqual(['random']);
    expect(compared.comparisons!.random.difference).toBeCloseTo(compared.linear.top1 - report.baselines!.random!.linear.top1, 12);
    expect(report.labelSubsets!.map((r) => r.features)).toEqual(['raw', 'raw', dir, dir, 'random', 'random']);
    const text = formatProbeSummary(report);
    expect(text).toContain(`linear top-1, ${dir} vs random:`);
    expect(text.split('\n').filter((l) => l.startsWith(dir)).length).toBeGreaterThan(0);
    await expect(probe(args({ encoder: 'raw', compare: [path.join(root, 'nowhere')] }), quiet)).rejects.toThrow(/--encoder .*nowhere: not a run directory/);
  }, 120_000);

  it('rejects a test class absent from training, one class, and an encoder without weights', async () => {
    const extra = path.join(root, 'test-extra');
    await makeTinyImageFolder(extra, 4, 2, 16, 3);
    await expect(probe(args({ test: extra }), quiet)).rejects.toThrow(/class "class3".*not one of the training classes/);

    const single = path.join(root, 'single');
    await makeTinyImageFolder(single, 1, 3, 16, 4);
    await expect(probe(args({ train: single }), quiet)).rejects.toThrow(/at least 2 class folders/);

    const enc = path.join(root, 'enc');
    fs.mkdirSync(enc);
    fs.writeFileSync(path.join(enc, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'], weights: [] }] }));
    await expect(probe(args({ encoder: enc }), quiet)).rejects.toThrow(/weights\.bin not found/);

    await expect(exportEncoder(path.join(root, 'nowhere'), path.join(root, 'x'))).rejects.toThrow(/not a run directory/);
  });
});
