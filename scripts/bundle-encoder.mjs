// Makes models/<name>/ (a bundled encoder, see the README’s "Pretrained encoders") from a finished Fashion-MNIST
// benchmark run: the encoder exported in TF.js layers format, its card.json (how it was made,
// what it scores), the benchmark's probe.json and the data's licence. The sample figure recorded in the card is measured
// here, with the same probe the test (test/run/bundledModel.test.ts) re-runs.
//
//   npm run build && node scripts/bundle-encoder.mjs --run runs/bench-fm-3000 --name fashion-mnist-resnet18-w0.25 \
//     --commit <commit the run was trained at> --command "<the exact training command>"
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exportEncoder } from '../dist/pipelines/export.js';
import { probe } from '../dist/pipelines/probe.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const flag = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 || process.argv[i + 1] === undefined) throw new Error(`bundle-encoder: --${name} is required`);
  return process.argv[i + 1];
};
const run = flag('run');
const name = flag('name');
const commit = flag('commit');
const command = flag('command');
const backend = process.argv.includes('--backend') ? flag('backend') : 'wasm';

const config = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
const o = config.options;
const metrics = fs.readFileSync(path.join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
if (metrics.at(-1).step !== o.steps) throw new Error(`bundle-encoder: ${run} stopped at step ${metrics.at(-1).step} of ${o.steps}`);
// Training seconds summed over the log windows (what bench:fashion-mnist reports).
let seconds = 0;
for (let i = 0; i < metrics.length; i++) seconds += ((metrics[i].step - (i > 0 ? metrics[i - 1].step : 0)) * o.batchSize) / metrics[i].imagesPerSec;

const dir = path.join(root, 'models', name);
const { inputSize, dim } = await exportEncoder(run, dir, backend);

// The figure the test checks: the bundled sample, the probe's defaults (seed 0, k 20), raw pixels beside it.
const sample = path.join(root, 'data/sample');
const architecture = { backbone: o.backbone, width: o.width, cifarStem: o.cifarStem, projDim: o.projDim, projLayers: o.projLayers };
const onSample = await probe({ encoder: dir, train: path.join(sample, 'train'), test: path.join(sample, 'test'), backend, baselines: true, k: 20, seed: 0, concurrency: 8, defaults: { imageSize: inputSize, architecture } }, () => {});
const full = JSON.parse(fs.readFileSync(path.join(run, 'probe.json'), 'utf8'));
const scores = (report, split, cmd) => ({
  linearTop1: report.linear.top1,
  knnTop1: report.knn.top1,
  rawLinearTop1: report.baselines?.raw?.linear.top1,
  rawKnnTop1: report.baselines?.raw?.knn.top1,
  split,
  command: cmd,
});

const card = {
  name,
  summary: `SimCLR ResNet-18 (CIFAR stem, width ${o.width}) pretrained on the 60,000 Fashion-MNIST training images, labels unused`,
  inputSize,
  dim,
  architecture,
  data: {
    name: 'Fashion-MNIST training set',
    images: config.dataset.images,
    license: 'MIT, © 2017 Zalando SE (LICENSE-data in this folder)',
    source: 'https://github.com/zalandoresearch/fashion-mnist (read from Debian’s dataset-fashion-mnist)',
  },
  training: {
    command,
    commit,
    steps: o.steps,
    batchSize: o.batchSize,
    backend: config.backend.active,
    seconds: Math.round(seconds),
    date: config.createdAt.slice(0, 10),
  },
  probe: {
    fashionMnist: scores(full, 'Fashion-MNIST test (10k), classifier fit on 1000/class training images', `(the benchmark's own probe) ${command}`),
    sample: scores(onSample, 'bundled sample test (1k), classifier fit on the sample’s 2k training images', `simclr probe --encoder ${name} --train data/sample/train --test data/sample/test --backend ${backend}`),
  },
};
fs.writeFileSync(path.join(dir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
fs.copyFileSync(path.join(sample, 'LICENSE'), path.join(dir, 'LICENSE-data'));
fs.copyFileSync(path.join(run, 'probe.json'), path.join(dir, 'probe.json')); // the benchmark's whole probe report
const size = execFileSync('du', ['-sh', dir], { encoding: 'utf8' }).split('\t')[0];
console.log(`written ${dir} (${size}): sample linear top-1 ${(100 * card.probe.sample.linearTop1).toFixed(2)} (raw ${(100 * card.probe.sample.rawLinearTop1).toFixed(2)}), Fashion-MNIST ${(100 * card.probe.fashionMnist.linearTop1).toFixed(2)}`);
