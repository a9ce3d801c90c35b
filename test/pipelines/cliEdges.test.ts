/**
 * The CLI as a new user meets it: what the real process prints and writes for the edge cases
 * the option schema fixed (a bad choice, the cifar10 dataset, config.json's options, the tfjs
 * banner, a failed validation leaving nothing behind).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { optionNames } from '../../src/config/options.js';
import { MAIN_JS, TINY_FLAGS } from '../reliability/helpers.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

let root: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('simclr-cli-edges-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 1, 8);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** The CLI in `cwd` (default: the temp root, so a default run directory lands there). */
function cli(args: string[], cwd = root): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN_JS, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('the simclr CLI at its edges', () => {
  it('names the bad value and the choices of a wrong --loss on the one line it prints', () => {
    const { code, stderr } = cli(['pretrain', '--data', data, '--loss', 'foo']);
    expect(code).toBe(2);
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toMatch(/^simclr: .*loss.*"foo".*"ntxent".*"infonce"/);
  });

  it('takes cifar10 as a dataset (then says which file is missing)', () => {
    const empty = path.join(root, 'no-cifar');
    fs.mkdirSync(empty, { recursive: true });
    const { code, stderr } = cli(['data', 'cifar10', '--out', path.join(root, 'cifar'), '--from', empty]);
    expect(code).toBe(1);
    expect(stderr).not.toMatch(/Invalid values/);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^simclr: .*CIFAR-10 file/)]);
  });

  it('checks the arguments before it makes a run directory or starts a backend', () => {
    for (const args of [['--data', path.join(root, 'nonexistent')], ['--data', data, '--batch-size', 'abc']]) {
      const cwd = fs.mkdtempSync(path.join(root, 'cwd-'));
      const { code, stderr } = cli(['pretrain', ...args], cwd);
      expect(code, stderr).not.toBe(0);
      expect(lines(stderr), stderr).toHaveLength(1);
      expect(stderr).not.toMatch(/backend:/);
      expect(fs.readdirSync(cwd)).toEqual([]); // no runs/pretrain-<time>/ left behind
    }
  });

  it('records clean, resolved options in config.json, and export prints no tfjs banner', () => {
    const out = path.join(root, 'run');
    const run = cli(['pretrain', '--data', data, '--out', out, '--steps', '1', ...TINY_FLAGS]);
    expect(run.code, run.stderr).toBe(0);
    const { options } = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as { options: Record<string, unknown> };
    const known = new Set<string>(optionNames('pretrain'));
    expect(Object.keys(options).filter((k) => !known.has(k))).toEqual([]); // no _, $0 or batch-size beside batchSize
    expect(options).toMatchObject({ batchSize: 8, cifarStem: true, cacheSize: 16, temperature: 0.5, augment: 'crop+flip+color+grayscale', colorStrength: 0.5 });

    const exported = cli(['export', '--run', out, '--out', path.join(root, 'export')]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout + exported.stderr).not.toMatch(/looks like you are running TensorFlow\.js/);
    expect(lines(exported.stdout)).toEqual([expect.stringMatching(/^exported: /)]);
  });
});
