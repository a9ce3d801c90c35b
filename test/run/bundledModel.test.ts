/**
 * The bundled pretrained encoder (models/): it loads by name, and on the bundled sample it gives
 * the probe figure its card records (measured by scripts/bundle-encoder.mjs), within noise —
 * no re-training here. Also the `simclr models` listing and `--encoder <name>` through the CLI.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_ENCODER } from '../../pipelines/demo.js';
import { probe } from '../../pipelines/probe.js';
import { loadEncoder } from '../../src/run/loadEncoder.js';
import { bundledEncoders, resolveEncoderSpec } from '../../src/run/bundledEncoders.js';
import { REPO } from '../dist.js';
import { MAIN_JS } from '../reliability/helpers.js';

const sample = path.join(REPO, 'data/sample');
const bundled = bundledEncoders().find((b) => b.card.name === DEMO_ENCODER);

describe(`the bundled encoder ${DEMO_ENCODER}`, () => {
  it('is in models/ with a card naming how it was made', () => {
    expect(bundled, `models/${DEMO_ENCODER}/ with card.json and model.json`).toBeDefined();
    const { card, dir } = bundled!;
    expect(resolveEncoderSpec(DEMO_ENCODER)).toBe(dir);
    expect(card.training.command).toMatch(/bench:fashion-mnist/);
    expect(card.training.commit).toMatch(/^[0-9a-f]{7,40}$/);
    expect(fs.existsSync(path.join(dir, 'LICENSE-data'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'preprocessing.json'))).toBe(true);
  });

  it('loads by name and gives the recorded probe figure on the bundled sample', async () => {
    const { encoder, label } = await loadEncoder(DEMO_ENCODER);
    expect(label).toBe(DEMO_ENCODER);
    expect(encoder.outputs[0].shape[1]).toBe(bundled!.card.dim);
    encoder.dispose();
    const recorded = bundled!.card.probe.sample;
    const report = await probe(
      {
        encoder: DEMO_ENCODER,
        train: path.join(sample, 'train'),
        test: path.join(sample, 'test'),
        backend: 'wasm',
        baselines: false,
        k: 20,
        seed: 0,
        concurrency: 8,
        defaults: { imageSize: bundled!.card.inputSize, architecture: bundled!.card.architecture as never },
      },
      () => {},
    );
    // 1,000 test images: one image is 0.1 point; backends round differently, so allow 1 point.
    expect(Math.abs(report.linear.top1 - recorded.linearTop1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(report.knn.top1 - recorded.knnTop1)).toBeLessThanOrEqual(0.01);
  }, 300_000);

  it('`simclr models` lists it with its figures; `--encoder <name>` works through the CLI', () => {
    const models = spawnSync(process.execPath, [MAIN_JS, 'models'], { encoding: 'utf8', cwd: REPO });
    expect(models.status).toBe(0);
    expect(models.stdout).toContain(`${DEMO_ENCODER}  (--encoder ${DEMO_ENCODER}`);
    expect(models.stdout).toMatch(/bundled sample test .*: linear top-1 \d+\.\d\d/);
    const json = JSON.parse(spawnSync(process.execPath, [MAIN_JS, 'models', '--json'], { encoding: 'utf8', cwd: REPO }).stdout);
    expect(json.map((c: { name: string }) => c.name)).toContain(DEMO_ENCODER);

    // From another directory: the name is found in the package, not the working directory.
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'simclr-bundled-'));
    try {
      const out = path.join(cwd, 'emb.npy');
      const embed = spawnSync(process.execPath, [MAIN_JS, 'embed', '--encoder', DEMO_ENCODER, '--data', path.join(sample, 'test/bag'), '--out', out, '--backend', 'wasm'], { encoding: 'utf8', cwd });
      expect(embed.stderr + embed.stdout).toContain(`100 × ${bundled!.card.dim}`);
      expect(embed.status).toBe(0);
      const wrong = spawnSync(process.execPath, [MAIN_JS, 'embed', '--encoder', 'no-such-model', '--data', sample, '--out', out], { encoding: 'utf8', cwd });
      expect(wrong.status).not.toBe(0);
      expect(wrong.stderr).toContain(`or a bundled encoder (${DEMO_ENCODER}`);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
