/**
 * `simclr finetune` end to end through the built CLI on a tiny generated ImageFolder: the files
 * of the run, the exported classifier reloaded in stock tfjs, resume after SIGINT, the random
 * baseline, label subsets, bad input.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finetune, type FineTuneOptions } from '../../pipelines/finetune.js';
import { selectBackend } from '../../src/backend/select.js';
import { defaultsOf } from '../../src/config/options.js';
import { loadImageFolder } from '../../src/data/imageFolder.js';
import { loadTensorMap } from '../../src/io/modelStore.js';
import { toUnitFloats } from '../../src/models/preprocess.js';
import { loggedSteps, runCli, startCli, TINY_FLAGS, waitFor } from '../reliability/helpers.js';
import { makeTinyImageFolder, tempDir } from './tinyData.js';

let root: string;
let train: string;
let test: string;
let pretrained: string;
const CLASSES = 3;
const PER_CLASS = 8; // of 12 per class in the training folder
const STEPS_PER_EPOCH = (CLASSES * PER_CLASS) / 8;
const EPOCHS = 2;

/** Fine-tuning flags shared by every run here: 2 epochs of 3 steps on 24 of the 36 images. */
const ftArgs = (encoder: string, out: string, extra: string[] = [], subset = ['--per-class', String(PER_CLASS)]) => [
  'finetune', '--encoder', encoder, '--train', train, '--test', test, '--out', out,
  '--backend', 'wasm', '--batch-size', '8', '--epochs', String(EPOCHS), ...subset,
  '--log-every', '1', '--workers', '0', '--concurrency', '4', '--lr', '0.01', ...extra,
];
const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const metricsOf = (out: string) =>
  fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, number>);

beforeAll(async () => {
  root = await tempDir('simclr-finetune-');
  train = await makeTinyImageFolder(path.join(root, 'train'), CLASSES, 12, 16, 1);
  test = await makeTinyImageFolder(path.join(root, 'test'), CLASSES, 6, 16, 2);
  pretrained = path.join(root, 'pretrained');
  const { code, stderr } = await runCli(['pretrain', '--data', train, '--out', pretrained, ...TINY_FLAGS, '--steps', '2']);
  expect(code, stderr).toBe(0);
}, 240_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('simclr finetune (real CLI, tiny data)', () => {
  const done = () => path.join(root, 'ft');

  it('writes the run directory, the classifier, the scores; the export reloads in stock tfjs and reproduces them', async () => {
    const out = done();
    const { code, stdout, stderr } = await runCli(ftArgs(pretrained, out));
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/test: 18 images, top-1 \d+\.\d\d%/);
    expect(stdout).toContain(`done: ${EPOCHS * STEPS_PER_EPOCH} steps on ${CLASSES * PER_CLASS} labelled images`);
    for (const f of ['config.json', 'metrics.jsonl', 'checkpoint/meta.json', 'model/model.json', 'model/weights.bin', 'model/preprocessing.json', 'model/classes.txt', 'results.json', 'confusion.csv', 'train-subset.txt']) {
      expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    }
    expect(fs.readdirSync(out).some((f) => f.startsWith('events.out.tfevents.'))).toBe(true);

    // metrics.jsonl: a line per step, then per epoch the train means and the test scores.
    const records = metricsOf(out);
    const total = EPOCHS * STEPS_PER_EPOCH;
    expect(loggedSteps(path.join(out, 'metrics.jsonl')).filter((s, i) => records[i].loss !== undefined)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const epochs = records.filter((r) => r.testTop1 !== undefined);
    expect(epochs.map((r) => r.step)).toEqual([STEPS_PER_EPOCH, 2 * STEPS_PER_EPOCH]);
    for (const r of epochs) expect(Object.keys(r)).toEqual(expect.arrayContaining(['trainEpochLoss', 'trainEpochTop1', 'testTop1', 'testLoss']));
    // The classifier starts at zero: every class scores 0, so the first loss is ln C exactly.
    expect(records[0].loss).toBeCloseTo(Math.log(CLASSES), 5);

    // config.json: a loaded encoder brings its architecture, so the unused architecture flags are not recorded as if they described it.
    const recorded = read(path.join(out, 'config.json')) as { options: Record<string, unknown> };
    for (const key of ['backbone', 'width', 'cifarStem', 'imageSize']) expect(recorded.options).not.toHaveProperty(key);

    // The stratified subset: PER_CLASS images of each class, all from the training folder.
    const subset = fs.readFileSync(path.join(out, 'train-subset.txt'), 'utf8').trim().split('\n');
    for (let c = 0; c < CLASSES; c++) expect(subset.filter((p) => p.startsWith(path.join(train, `class${c}`) + path.sep))).toHaveLength(PER_CLASS);

    // Reload with stock tfjs (no simclr-ts code): weights and topology from the files as they are.
    const dir = path.join(out, 'model');
    const modelJson = read(path.join(dir, 'model.json'));
    const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }),
    );
    const pre = read(path.join(dir, 'preprocessing.json'));
    expect(pre.inputShape).toEqual([16, 16, 3]);
    expect(pre.output).toBe('logits');
    const classes = fs.readFileSync(path.join(dir, 'classes.txt'), 'utf8').trim().split('\n');
    expect(classes).toEqual(['class0', 'class1', 'class2']);

    const images = await loadImageFolder(test, { cacheSize: 16 }, classes);
    const source = images.dataset.source;
    if (source.kind !== 'memory') throw new Error('expected decoded images');
    const n = images.labels.length;
    const x = tf.tensor4d(toUnitFloats(source.pixels), [n, 16, 16, 3]);
    const y = model.predict(x) as tf.Tensor2D;
    expect(y.shape).toEqual([n, CLASSES]);
    const logits = y.arraySync();
    tf.dispose([x, y]);
    model.dispose();

    // The reloaded model's predictions give exactly the confusion matrix and top-1 of results.json.
    const results = read(path.join(out, 'results.json'));
    const confusion = Array.from({ length: CLASSES }, () => new Array<number>(CLASSES).fill(0));
    logits.forEach((row, i) => confusion[images.labels[i]][row.indexOf(Math.max(...row))] += 1);
    expect(results.test.confusion).toEqual(confusion);
    expect(results.test.top1).toBeCloseTo(confusion.reduce((s, r, t) => s + r[t], 0) / n, 12);
    expect(results.test.top1).toBe(epochs[1].testTop1);
    const csv = fs.readFileSync(path.join(out, 'confusion.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('true \\ predicted,class0,class1,class2');
    expect(csv.slice(1).map((l) => l.split(',').slice(1).map(Number))).toEqual(confusion);
    expect(Object.keys(results.test.perClass)).toEqual(classes);
  }, 240_000);

  it('--resume after SIGINT ends exactly where the uninterrupted run (same seed) ended', async () => {
    const out = path.join(root, 'ft-resumed');
    const run = startCli(ftArgs(pretrained, out));
    let exited = false;
    void run.done.then(() => (exited = true));
    await waitFor('two logged steps', () => exited || loggedSteps(path.join(out, 'metrics.jsonl')).length >= 2, 120_000);
    expect(exited, 'the run ended before it could be interrupted').toBe(false);
    run.child.kill('SIGINT');
    const stopped = await run.done;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toMatch(/^stopped: step \d+\/6/);
    expect(fs.existsSync(path.join(out, 'model'))).toBe(false);

    const resumed = await runCli([...ftArgs(pretrained, out), '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* at step \d+\/6/);

    const a = await loadTensorMap(path.join(done(), 'checkpoint'));
    const b = await loadTensorMap(path.join(out, 'checkpoint'));
    expect(Object.keys(b.tensors).sort()).toEqual(Object.keys(a.tensors).sort());
    expect(Object.keys(a.tensors).some((k) => k.startsWith('optimizer/'))).toBe(true);
    for (const [name, t] of Object.entries(a.tensors)) expect(Array.from(b.tensors[name].dataSync()), name).toEqual(Array.from(t.dataSync()));
    tf.dispose([...Object.values(a.tensors), ...Object.values(b.tensors)]);
    expect(read(path.join(out, 'results.json')).test).toEqual(read(path.join(done(), 'results.json')).test);
    // Every step logged once, and each epoch's test line once.
    const records = metricsOf(out);
    expect(records.filter((r) => r.loss !== undefined).map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(records.filter((r) => r.testTop1 !== undefined).map((r) => r.step)).toEqual([3, 6]);
  }, 300_000);

  it('--encoder random trains the same model from other initial weights', async () => {
    const out = path.join(root, 'ft-random');
    const arch = ['--backbone', 'resnet18', '--width', '0.125', '--image-size', '16'];
    const { code, stderr } = await runCli(ftArgs('random', out, arch));
    expect(code, stderr).toBe(0);
    expect(read(path.join(out, 'model/model.json')).modelTopology).toEqual(read(path.join(done(), 'model/model.json')).modelTopology);
    const [r, p] = [read(path.join(out, 'config.json')), read(path.join(done(), 'config.json'))];
    const same = (o: Record<string, unknown>) => {
      const { encoder: _e, out: _o, backbone: _b, width: _w, imageSize: _i, ...rest } = o;
      return rest;
    };
    expect(same(r.options)).toEqual(same(p.options));
    expect(r.data).toEqual(p.data);
    expect(r.schedule).toEqual(p.schedule);
    expect(fs.readFileSync(path.join(out, 'train-subset.txt'), 'utf8')).toBe(fs.readFileSync(path.join(done(), 'train-subset.txt'), 'utf8'));
    expect(fs.readFileSync(path.join(out, 'model/weights.bin')).equals(fs.readFileSync(path.join(done(), 'model/weights.bin')))).toBe(false);
  }, 240_000);

  it('--from-head-layer 1 keeps the head\'s first layer under the classifier, in process, without leaking tensors', async () => {
    await selectBackend('wasm', { quiet: true });
    const before = tf.memory().numTensors;
    const options = {
      ...defaultsOf('finetune'),
      encoder: pretrained, train, test, out: path.join(root, 'ft-head'), backend: 'wasm', workers: 0, concurrency: 4,
      batchSize: 8, epochs: 1, perClass: '4', fromHeadLayer: 1, logEvery: 1,
    } as FineTuneOptions;
    const result = await finetune(options, { log: () => {} });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.test?.images).toBe(18);
    const topology = read(path.join(root, 'ft-head/model/model.json')).modelTopology;
    const layers = topology.config.layers as { name: string; config: { units?: number } }[];
    const names = layers.map((l) => l.name);
    expect(names.slice(-4)).toEqual(['proj_dense_1', 'proj_bn_1', 'proj_relu_1', 'classifier']);
    expect(names).not.toContain('proj_dense_2');
    await expect(finetune({ ...options, out: path.join(root, 'ft-head3'), fromHeadLayer: 3 }, { log: () => {} })).rejects.toThrow(
      "--from-head-layer 3: the run's projection head has 2 layers",
    );
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);

  it('bad input is one line and a non-zero exit, before anything is written', async () => {
    for (const [subset, message] of [
      [['--label-fraction', '0'], /--label-fraction: each value must be in \(0, 1\], got "0"/],
      [['--label-fraction', '0.1,0.5'], /finetune takes one --label-fraction/],
      [['--label-fraction', '0.1', '--per-class', '2'], /--label-fraction and --per-class contradict/],
      [['--from-head-layer', '1'], /--from-head-layer needs a pretrained run/],
    ] as const) {
      const out = path.join(root, 'bad');
      const { code, stderr } = await runCli(ftArgs('random', out, [], [...subset]));
      expect(code).not.toBe(0);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).toMatch(message);
      expect(fs.existsSync(out)).toBe(false);
    }
  }, 120_000);
});
