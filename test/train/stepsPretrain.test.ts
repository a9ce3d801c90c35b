import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PretrainOptions } from '../../src/config/pretrainOptions.js';
import { readJsonl } from '../../src/io/jsonl.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { makeTinyImageFolder, tempDir, tinyPretrainOptions } from '../pipelines/tinyData.js';

let root: string;
let data: string;

function options(out: string, overrides: Partial<PretrainOptions>): PretrainOptions {
  return tinyPretrainOptions(data, out, { checkpointEvery: 10, ...overrides });
}

type Metrics = Record<string, number>;
const metricsOf = (out: string) => readJsonl<Metrics>(path.join(out, 'metrics.jsonl'));

beforeAll(async () => {
  root = await tempDir('simclr-objectives-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('simclr pretrain with the other objectives (wasm, tiny model)', () => {
  it('moco: stopped after step 2 and resumed, the run ends exactly as an uninterrupted one', async () => {
    const moco = { loss: 'moco' as const, queueSize: 12 };
    const whole = path.join(root, 'moco-whole');
    await pretrain(options(whole, moco), { log: () => {} });
    const out = path.join(root, 'moco');
    const controller = new AbortController();
    const first = await pretrain(options(out, moco), {
      log: () => {},
      signal: controller.signal,
      onStep: (step) => step === 2 && controller.abort(),
    });
    expect(first.finalStep).toBe(2);
    const index = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'tensors.json'), 'utf8'));
    const names = index.tensors.map((t: { name: string }) => t.name);
    expect(names).toContain('objective/queue/keys');
    expect(names).toContain('objective/key/encoder/conv_1/kernel');
    const second = await pretrain(options(out, { ...moco, resume: true }), { log: () => {} });
    expect(second.finalStep).toBe(4);

    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.options.temperature).toBe(0.07); // MoCo's default, recorded
    const metrics = await metricsOf(out);
    expect(metrics.map((m) => m.step)).toEqual([1, 2, 3, 4]);
    // --seed fixes the initial model and queue, so the uninterrupted run is the reference; a
    // resume without the checkpoint's queue or key encoder would differ from step 3 on.
    expect(metrics.map((m) => m.loss)).toEqual((await metricsOf(whole)).map((m) => m.loss));
  });

  it('triplet with --labels: same-class positives, mining shares logged every step', async () => {
    const out = path.join(root, 'triplet');
    const lines: string[] = [];
    await pretrain(options(out, { loss: 'triplet', labels: data, steps: 2 }), { log: (l) => lines.push(l) });
    expect(lines).toContain(`labels: 2 classes from ${data} (same class = positive)`);
    const metrics = await metricsOf(out);
    for (const m of metrics) {
      expect(m.easy + m.semiHard + m.hard).toBeCloseTo(1, 5);
      // One semi-hard triplet per ordered same-class (anchor, positive): Σ 2n(2n − 1) over the
      // classes' n images in the batch, at least 112 (4 + 4) for 8 images of 2 classes; 16 without labels.
      expect(m.triplets).toBeGreaterThanOrEqual(112);
    }
  });
});
