/**
 * Files from others, through the real CLI: a malformed config or encoder directory is one
 * line on stderr and a non-zero exit, never a stack trace or a read outside the directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirSaveHandler } from '../../src/io/modelStore.js';
import { SimclrModel } from '../../src/models/simclrModel.js';
import { makeTinyImageFolder, tempDir } from '../pipelines/tinyData.js';
import { runCli, TINY_FLAGS } from './helpers.js';

let root: string;
let data: string;
let encoder: string;

beforeAll(async () => {
  root = await tempDir('simclr-inputs-');
  data = await makeTinyImageFolder(path.join(root, 'data'), 1, 8);
  encoder = path.join(root, 'encoder');
  const model = SimclrModel.build({ backbone: 'resnet18', width: 0.125, imageSize: 16, cifarStem: true, projDim: 16, projLayers: 2 });
  await model.encoder.save(dirSaveHandler(encoder));
  model.dispose();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function expectOneLineError(args: string[], pattern: RegExp): Promise<void> {
  const { code, stderr } = await runCli(args);
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !/TensorFlow\.js in Node|tfjs-node|^=+$/.test(l));
  expect(code, stderr).not.toBe(0);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^simclr: /);
  expect(lines[0]).toMatch(pattern);
}

/** A copy of the good encoder dir, changed by `edit`. */
function brokenEncoder(name: string, edit: (dir: string, modelJson: Record<string, any>) => void): string {
  const dir = path.join(root, name);
  fs.cpSync(encoder, dir, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  edit(dir, json);
  return dir;
}
const writeJson = (dir: string, json: unknown) => fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));

describe('bad inputs through the CLI: one clear line, non-zero exit', () => {
  it('config files: missing, malformed, truncated, wrong types; unknown flags', async () => {
    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, '{ "steps": 3, ');
    const wrongType = path.join(root, 'wrong-type.json');
    fs.writeFileSync(wrongType, JSON.stringify({ 'batch-size': 'eight' }));
    const notObject = path.join(root, 'array.json');
    fs.writeFileSync(notObject, '[1, 2]');
    const out = path.join(root, 'never');
    await Promise.all([
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--config', path.join(root, 'missing.json')], /missing\.json/),
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--config', bad], /bad\.json/),
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--config', notObject], /array\.json/),
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--config', wrongType], /batch-size/),
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--batch-size', 'abc'], /batch-size/),
      expectOneLineError(['pretrain', '--data', data, '--out', out, '--bogus-flag', '1'], /bogus-flag/),
    ]);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('encoder dirs: malformed or truncated model.json, weights truncated, weight paths leaving the directory', async () => {
    const outside = path.join(root, 'outside.bin');
    fs.copyFileSync(path.join(encoder, 'weights.bin'), outside); // right size: only the path check can refuse it
    const cases: [string, RegExp][] = [
      [brokenEncoder('garbled', (dir) => fs.writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {')), /model\.json is not valid JSON/],
      [brokenEncoder('cut-json', (dir) => fs.truncateSync(path.join(dir, 'model.json'), 100)), /model\.json is not valid JSON/],
      [brokenEncoder('no-topology', (dir, j) => writeJson(dir, { ...j, modelTopology: null })), /no modelTopology/],
      [brokenEncoder('cut-weights', (dir) => fs.truncateSync(path.join(dir, 'weights.bin'), 1000)), /truncated/],
      [brokenEncoder('dotdot', (dir, j) => writeJson(dir, { ...j, weightsManifest: [{ ...j.weightsManifest[0], paths: ['../outside.bin'] }] })), /outside its directory/],
      [brokenEncoder('absolute', (dir, j) => writeJson(dir, { ...j, weightsManifest: [{ ...j.weightsManifest[0], paths: [outside] }] })), /outside its directory/],
    ];
    await Promise.all(cases.map(([dir, pattern]) => expectOneLineError(['export', '--run', dir, '--out', path.join(root, `x-${path.basename(dir)}`)], pattern)));
    for (const [dir] of cases) expect(fs.existsSync(path.join(root, `x-${path.basename(dir)}`))).toBe(false);
  });

  it('a NaN loss (absurd --lr) ends the run with the step named and exit code 1', async () => {
    const out = path.join(root, 'nan');
    const { code, stderr } = await runCli(['pretrain', '--data', data, '--out', out, ...TINY_FLAGS, '--steps', '4', '--lr', '1e30']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^simclr: step \d+: (loss|gradient) is not finite.*--on-nan skip/m);
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});
