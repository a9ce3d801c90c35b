import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEncoder } from '../../pipelines/export.js';
import { probe } from '../../pipelines/probe.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { modelConfigOf } from '../../src/config/pretrainOptions.js';
import { loadFeatureExtractor } from '../../src/run/loadEncoder.js';
import { foldBatchNorm } from '../../src/models/foldBatchNorm.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { createOptimizer } from '../../src/optim/index.js';
import { loadCheckpoint, loadCheckpointWeights } from '../../src/train/checkpoint.js';
import { makeTinyImageFolder, tempDir, tinyPretrainOptions } from '../pipelines/tinyData.js';

// Probing / exporting a run that has not finished: the encoder comes from its latest checkpoint.
let root: string;
let run: string;
const options = () => tinyPretrainOptions(path.join(root, 'data'), run, { steps: 6 });
const defaults = { imageSize: 16, architecture: { backbone: 'resnet18' as const, width: 0.125, cifarStem: true, projDim: 16, projLayers: 2 } };
const pixels = Uint8Array.from({ length: 3 * 16 * 16 * 3 }, (_, i) => (i * 37) % 256);

beforeAll(async () => {
  root = await tempDir('simclr-ckpt-encoder-');
  await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
  run = path.join(root, 'run');
  const controller = new AbortController();
  const result = await pretrain(options(), {
    log: () => {},
    signal: controller.signal,
    onStep: (step) => {
      if (step === 4) controller.abort();
    },
  });
  expect(result.finalStep).toBe(4);
  expect(fs.existsSync(path.join(run, 'encoder'))).toBe(false);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('the encoder of an unfinished run', () => {
  it('is the checkpoint’s: the same embeddings as the model --resume restores, and not the initial ones', async () => {
    const before = tf.memory().numTensors;
    const fromRun = await loadFeatureExtractor(run, defaults);
    expect(fromRun.name).toBe(`${run} (checkpoint, step 4 of 6)`);
    const got = fromRun.embed(pixels, 3);
    fromRun.dispose();
    expect(tf.memory().numTensors).toBe(before);

    // The resume path (model + optimizer state, already checked equal to an uninterrupted run).
    const model = SimclrModel.build(modelConfigOf(options()));
    // Features are computed by the BatchNorm-folded copy (featureExtractor.ts): the same fold of
    // the same weights gives the same numbers.
    const embedWith = (m: SimclrModel) => {
      const folded = foldBatchNorm(m.encoder);
      const h = tf.tidy(() => folded.apply(tf.tensor4d(pixels, [3, 16, 16, 3]).div(255), { training: false }) as tf.Tensor);
      const values = h.dataSync();
      tf.dispose(h);
      folded.dispose();
      return values;
    };
    const initial = embedWith(model);
    const optimizer = createOptimizer('lars', 1e-6);
    expect((await loadCheckpoint(path.join(run, 'checkpoint'), model, optimizer)).step).toBe(4);
    const want = embedWith(model);
    model.dispose();
    optimizer.dispose();
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(Array.from(got)).not.toEqual(Array.from(initial));
  });

  it('is probed, and probe.json says which step it scored', async () => {
    const data = path.join(root, 'data');
    const out = path.join(root, 'probe.json');
    const report = await probe(
      { encoder: run, train: data, test: data, out, backend: 'wasm', baselines: false, k: 3, seed: 0, concurrency: 4, defaults },
      () => {},
    );
    expect(report.source).toBe(`${run} (checkpoint, step 4 of 6)`);
    expect(JSON.parse(fs.readFileSync(out, 'utf8')).source).toBe(report.source);
  });

  it('exports, and the export says which step it came from', async () => {
    const out = path.join(root, 'exported');
    const { source } = await exportEncoder(run, out);
    expect(source).toMatch(/checkpoint, step 4 of 6/);
    expect(fs.existsSync(path.join(out, 'model.json'))).toBe(true);
  });

  it('is read while the run may be swapping its checkpoint: a directory missing for a moment is waited for', async () => {
    const checkpoint = path.join(run, 'checkpoint');
    const aside = path.join(run, 'checkpoint.aside');
    fs.renameSync(checkpoint, aside);
    const putBack = setTimeout(() => fs.renameSync(aside, checkpoint), 120);
    const model = SimclrModel.build(modelConfigOf(options()));
    try {
      expect(await loadCheckpointWeights(checkpoint, model, { attempts: 10, retryMs: 50 })).toBe(4);
    } finally {
      clearTimeout(putBack);
      if (fs.existsSync(aside)) fs.renameSync(aside, checkpoint);
      model.dispose();
    }
    const missing = SimclrModel.build(modelConfigOf(options()));
    await expect(loadCheckpointWeights(path.join(root, 'nowhere'), missing, { attempts: 2, retryMs: 10 })).rejects.toThrow(/nowhere/);
    missing.dispose();
  });

  it('says clearly when the run’s config.json cannot describe the model', async () => {
    const broken = path.join(root, 'broken');
    fs.cpSync(run, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'config.json'), '{"options": {}}');
    await expect(loadFeatureExtractor(broken, defaults)).rejects.toThrow(/run without encoder\/ whose .*config\.json cannot describe the model/);
    expect(fs.existsSync(path.join(broken, 'checkpoint', 'meta.json'))).toBe(true); // read-only: nothing recovered or moved
  });
});
