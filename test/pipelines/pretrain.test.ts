import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PretrainOptions } from '../../src/config/pretrainOptions.js';
import { readJsonl } from '../../src/io/jsonl.js';
import { readEvents } from '../../src/io/tensorboard/eventReader.js';
import { loadFeatureExtractor } from '../../src/run/loadEncoder.js';
import { embed } from '../../pipelines/embed.js';
import { exportEncoder } from '../../pipelines/export.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { readNpy } from '../../src/io/npy.js';
import { makeTinyImageFolder, tempDir, tinyPretrainOptions } from './tinyData.js';

let root: string;
let data: string;
const quiet = { log: () => {} };

function options(out: string, overrides: Partial<PretrainOptions> = {}): PretrainOptions {
  return tinyPretrainOptions(data, out, overrides);
}

beforeAll(async () => {
  root = await tempDir('simclr-e2e-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('pretrain end to end (wasm, tiny model)', () => {
  it('writes every file of the run directory, and TensorBoard parses', async () => {
    const out = path.join(root, 'run');
    const result = await pretrain(options(out), quiet);
    expect(result.finalStep).toBe(4);
    expect(Number.isFinite(result.lastLoss)).toBe(true);
    const files = fs.readdirSync(out);
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoint', 'encoder']) expect(files).toContain(f);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.backend.active).toBe('wasm');
    expect(config.options.seed).toBe(0);
    // The size-dependent defaults are recorded as used: the paper's CIFAR-10 recipe at 16 px.
    expect(config.options.augment).toBe('crop+flip+color+grayscale');
    expect(config.options.colorStrength).toBe(0.5);
    expect(config.versions['@tensorflow/tfjs']).toMatch(/^4\./);

    const metrics = await readJsonl<Record<string, number>>(path.join(out, 'metrics.jsonl'));
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    for (const key of ['loss', 'lr', 'top1', 'positiveCosine', 'negativeCosine', 'imagesPerSec', 'dataStall', 'epoch']) {
      expect(Number.isFinite(metrics[3][key]), key).toBe(true);
    }

    const eventFile = files.find((f) => f.startsWith('events.out.tfevents.'));
    expect(eventFile).toBeDefined();
    const events = readEvents(path.join(out, eventFile!)); // throws on any length/CRC mismatch
    const lossSteps = events.filter((e) => 'train/loss' in e.scalars).map((e) => e.step);
    expect(lossSteps).toEqual([1, 2, 3, 4]);
    expect(events.some((e) => e.images.includes('data/view_pairs'))).toBe(true);

    expect(fs.existsSync(path.join(out, 'encoder', 'model.json'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'encoder', 'weights.bin'))).toBe(true);
  });

  it('resumes from the checkpoint with the same step count, metrics continuing without duplicates', async () => {
    const out = path.join(root, 'resumed');
    const controller = new AbortController();
    const first = await pretrain(options(out, { steps: 6 }), {
      ...quiet,
      signal: controller.signal,
      onStep: (step) => {
        if (step === 3) controller.abort();
      },
    });
    expect(first.finalStep).toBe(3);
    expect(first.stopped).toBe('signal');
    expect(fs.existsSync(path.join(out, 'encoder'))).toBe(false);
    expect(() => fs.accessSync(path.join(out, 'checkpoint', 'meta.json'))).not.toThrow();

    await expect(pretrain(options(out, { steps: 6 }), quiet)).rejects.toThrow(/already exists.*--resume/);
    // The same length as the run's own (a different --steps on resume would make it longer or shorter).
    const second = await pretrain(options(out, { resume: true, steps: 6 }), quiet);
    expect(second.finalStep).toBe(6);
    const steps = (await readJsonl<{ step: number }>(path.join(out, 'metrics.jsonl'))).map((m) => m.step);
    expect(steps).toEqual([1, 2, 3, 4, 5, 6]);
    const tbSteps = fs
      .readdirSync(out)
      .filter((f) => f.startsWith('events.out.tfevents.'))
      .flatMap((f) => readEvents(path.join(out, f)).filter((e) => 'train/loss' in e.scalars).map((e) => e.step))
      .sort((a, b) => a - b);
    expect(tbSteps).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps the tensor count flat: after step 10 as after step 2', async () => {
    const counts: number[] = [];
    await pretrain(options(path.join(root, 'flat'), { steps: 10, checkpointEvery: 5 }), {
      ...quiet,
      onStep: () => counts.push(tf.memory().numTensors),
    });
    expect(counts).toHaveLength(10);
    expect(counts[9]).toBe(counts[1]);
  });

  it('exports an encoder that gives the same embeddings as the run’s own, also through embed', async () => {
    const run = path.join(root, 'run');
    const exported = path.join(root, 'exported');
    await exportEncoder(run, exported);
    for (const f of ['model.json', 'weights.bin', 'preprocessing.json', 'README.md']) {
      expect(fs.existsSync(path.join(exported, f)), f).toBe(true);
    }
    const defaults = { imageSize: 16, architecture: { backbone: 'resnet18' as const, width: 0.125, cifarStem: true, projDim: 16, projLayers: 2 } };
    const a = await loadFeatureExtractor(run, defaults);
    const b = await loadFeatureExtractor(exported, defaults);
    const pixels = Uint8Array.from({ length: 3 * 16 * 16 * 3 }, (_, i) => (i * 37) % 256);
    const ha = a.embed(pixels, 3);
    expect(Array.from(b.embed(pixels, 3))).toEqual(Array.from(ha));
    a.dispose();
    b.dispose();

    const npy = path.join(root, 'emb.npy');
    const result = await embed(
      { encoder: exported, data, out: npy, backend: 'wasm', batchSize: 5, concurrency: 4, maxPixels: 1e8, defaults },
      () => {},
    );
    expect(result.rows).toBe(16);
    const back = await readNpy(npy);
    expect(back.shape).toEqual([16, result.dim]);
    const paths = fs.readFileSync(path.join(root, 'emb.paths.txt'), 'utf8').trim().split('\n');
    expect(paths).toHaveLength(16);
    expect(paths[0]).toContain(path.join('class0', '0.png'));
  });

  it('rejects an empty dataset with one clear line', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    await expect(pretrain({ ...options(path.join(root, 'never')), data: empty }, quiet)).rejects.toThrow(/no readable images/);
  });
});
