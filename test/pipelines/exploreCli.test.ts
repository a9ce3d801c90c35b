import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../reliability/helpers.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

let root: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('simclr-explore-cli-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 2, 6);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('simclr explore (real CLI)', () => {
  it('writes the explorer of an ImageFolder and says how to open it', async () => {
    const out = path.join(root, 'explore');
    const run = await runCli(['explore', '--encoder', 'random', '--image-size', '16', '--width', '0.125', '--backend', 'wasm', '--data', data, '--out', out, '--neighbors', '3']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/explorer: 12 images, UMAP map, leave-one-out kNN [\d.]+ %/);
    expect(run.stdout).toContain(`open file://${out}/index.html`);
    expect(run.stdout).toContain(`tensorboard --logdir ${out}/projector`);
    const pageData = fs.readFileSync(path.join(out, 'data.js'), 'utf8');
    expect(pageData).toMatch(/"n":12,"k":3,/);
  });

  it('a bad --encoder or --data is one line and exit 1, leaving no --out behind', async () => {
    const out = path.join(root, 'never');
    for (const args of [['--encoder', path.join(root, 'nothing'), '--data', data], ['--encoder', 'random', '--data', path.join(root, 'nothing')]]) {
      const run = await runCli(['explore', ...args, '--backend', 'wasm', '--out', out]);
      expect(run.code).toBe(1);
      const lines = run.stderr.trim().split('\n').filter((l) => l.startsWith('simclr:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/nothing/);
      expect(lines[0]).not.toMatch(/cannot write/);
      expect(fs.existsSync(out)).toBe(false);
    }
  });

  it('a missing flag or a bad --map is a usage error (exit 2)', async () => {
    const missing = await runCli(['explore', '--data', data, '--out', path.join(root, 'x')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('explore needs --encoder');
    const map = await runCli(['explore', '--encoder', 'random', '--data', data, '--out', path.join(root, 'x'), '--map', 'tsne']);
    expect(map.code).toBe(2);
    expect(map.stderr).toMatch(/map.*tsne/);
  });
});
