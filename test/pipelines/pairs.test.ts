import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, TINY_FLAGS } from '../reliability/helpers.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

// Two classes of 8 images; pairs within a class (0–1, 2–3, … and a chain 4–5–6), plus bad rows.
let data: string;
let pairsFile: string;
let dir: string;

beforeAll(async () => {
  dir = await tempDir('simclr-pairs-');
  data = await makeTinyImageFolder(path.join(dir, 'data'), 2, 8, 16);
  const rows = ['left,right'];
  for (const c of [0, 1]) for (const [a, b] of [[0, 1], [2, 3], [4, 5], [5, 6]]) rows.push(`class${c}/${a}.png,class${c}/${b}.png`);
  rows.push('class0/1.png,./class0/0.png', 'class0/7.png,class0/7.png', 'class0/7.png,nowhere/9.png', '"class1/7.png"');
  pairsFile = path.join(dir, 'pairs.csv');
  fs.writeFileSync(pairsFile, rows.join('\n'));
}, 60_000);

function records(out: string): Record<string, number>[] {
  return fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
}

describe('pretrain --pairs through the CLI', () => {
  it('ntxent: reports the file, logs the share of anchors with a partner, records the counts', async () => {
    const out = path.join(dir, 'ntxent');
    const r = await runCli(['pretrain', '--data', data, '--out', out, '--pairs', pairsFile, '--steps', '2', ...TINY_FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('pairs: 13 rows: 8 pairs, 1 naming an image not in --data (e.g. nowhere/9.png), 1 self-pairs, 1 duplicates, 1 malformed, header row skipped');
    expect(r.stderr).toContain('14 of 16 images paired');
    const logged = records(out);
    expect(logged).toHaveLength(2);
    // 14 paired images and 2 alone, batches of 8: the sampler keeps pairs together, so every paired image has its partner.
    expect(logged.map((m) => m.pairedAnchors).reduce((a, b) => a + b) / 2).toBeCloseTo(14 / 16, 6);
    for (const m of logged) expect(Number.isFinite(m.loss)).toBe(true);
    const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.options.pairs).toBe(pairsFile);
    expect(config.pairs).toMatchObject({ pairs: 8, notFound: 1, selfPairs: 1, duplicates: 1, malformed: 1 });
  }, 180_000);

  it.each([
    ['triplet', ['--pairs-closure', '--mining', 'all']],
    ['contrastive', []],
    ['ranking', ['--mining', 'hard']],
    ['infonce', []],
    ['ntxent', ['--micro-batch', '4', '--negatives', '5']],
  ])('%s trains with --pairs %j', async (loss, extra) => {
    const out = path.join(dir, `${loss}-${extra.length}`);
    const r = await runCli(['pretrain', '--data', data, '--out', out, '--loss', loss, '--pairs', pairsFile, ...extra, '--steps', '1', ...TINY_FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    const [m] = records(out);
    expect(Number.isFinite(m.loss)).toBe(true);
    expect(m.pairedAnchors).toBeGreaterThan(0);
    if (extra.includes('--negatives')) expect(m.negatives).toBe(5);
  }, 180_000);

  it('refuses a file with no usable pair, --pairs with a loss that does not take it, and --pairs with --labels', async () => {
    const empty = path.join(dir, 'empty.tsv');
    fs.writeFileSync(empty, 'class0/0.png\tmissing.png\n');
    const none = await runCli(['pretrain', '--data', data, '--out', path.join(dir, 'none'), '--pairs', empty, '--steps', '1', ...TINY_FLAGS]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/--pairs .*empty\.tsv: no usable pair \(1 rows: 0 pairs, 1 naming an image not in --data/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const moco = await runCli(['pretrain', '--data', data, '--out', path.join(dir, 'moco'), '--loss', 'moco', '--pairs', pairsFile, ...TINY_FLAGS]);
    expect(moco.code).not.toBe(0);
    expect(moco.stderr).toMatch(/--pairs \(paired positives\) needs --loss ntxent, infonce, triplet, ranking or contrastive, got moco/);
    const both = await runCli(['pretrain', '--data', data, '--out', path.join(dir, 'both'), '--loss', 'triplet', '--pairs', pairsFile, '--labels', data, ...TINY_FLAGS]);
    expect(both.stderr).toMatch(/--pairs and --labels both give positives/);
  }, 180_000);
});
