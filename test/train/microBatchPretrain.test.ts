import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRETRAIN_DEFAULTS, validatePretrainOptions, type PretrainOptions } from '../../src/config/pretrainOptions.js';
import { pretrain } from '../../pipelines/pretrain.js';
import { makeTinyImageFolder, tempDir } from '../pipelines/tinyData.js';

let root: string;
let data: string;

function options(out: string, overrides: Partial<PretrainOptions> = {}): PretrainOptions {
  return {
    ...PRETRAIN_DEFAULTS, data, out, backend: 'wasm', width: 0.125, imageSize: 16, batchSize: 8, projDim: 16,
    steps: 2, warmupEpochs: 0, logEvery: 1, checkpointEvery: 2, workers: 0, ...overrides,
  };
}

beforeAll(async () => {
  root = await tempDir('simclr-microbatch-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 8);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('pretrain --micro-batch', () => {
  it('trains and records batch and micro-batch in config.json', async () => {
    const out = path.join(root, 'run');
    const result = await pretrain(options(out, { microBatch: 3 }), { log: () => {} });
    expect(result.finalStep).toBe(2);
    expect(Number.isFinite(result.lastLoss)).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.batch).toEqual({ images: 8, microBatch: 3, replicas: 1 });
    expect(config.options.microBatch).toBe(3);
  });

  it.each([
    [{ microBatch: 0 }, /--micro-batch must be a positive integer/],
    [{ microBatch: 2.5 }, /--micro-batch must be a positive integer/],
    [{ replicas: 0 }, /--replicas must be a positive integer/],
    [{ microBatch: 4, loss: 'infonce' }, /--loss ntxent only/],
    [{ batchSize: 4, microBatch: 2, replicas: 3 }, /--replicas 3 needs as many micro-batches, but --batch-size 4 makes 2/],
  ] as [Partial<PretrainOptions>, RegExp][])('rejects %o with one clear line', (overrides, message) => {
    expect(() => validatePretrainOptions(options(path.join(root, 'bad'), overrides))).toThrow(message);
  });
});
