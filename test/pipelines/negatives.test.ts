import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, TINY_FLAGS } from '../reliability/helpers.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

let dir: string;
let data: string;

beforeAll(async () => {
  dir = await tempDir('simclr-negatives-');
  data = await makeTinyImageFolder(path.join(dir, 'data'), 2, 8, 16);
}, 60_000);

describe('pretrain --negatives through the CLI', () => {
  it('uses all 2B − 2 negatives before --negatives-after, K after, and logs the count', async () => {
    const out = path.join(dir, 'run');
    // 16 images, batch 8: 2 steps per epoch, so sampling starts at step 2 (the third).
    const r = await runCli(['pretrain', '--data', data, '--out', out, '--negatives', '3', '--negatives-after', '1', '--steps', '4', ...TINY_FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    const logged = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(logged.map((m) => m.negatives)).toEqual([14, 14, 3, 3]);
    for (const m of logged) expect(Number.isFinite(m.loss)).toBe(true);
  }, 180_000);

  it('moco: each query keeps K of its queue once sampling starts', async () => {
    const out = path.join(dir, 'moco');
    const r = await runCli(['pretrain', '--data', data, '--out', out, '--loss', 'moco', '--queue-size', '16', '--negatives', '5', '--negatives-after', '1', '--steps', '4', ...TINY_FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    const logged = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);
    expect(logged.map((m) => m.negatives)).toEqual([16, 16, 5, 5]);
  }, 180_000);
});
