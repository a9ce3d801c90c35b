/**
 * npm run bench:probe — where `simclr probe` spends its time on a full labelled dataset (default
 * the 60k/10k Fashion-MNIST ImageFolder): decode, features, linear probe (each λ of the path:
 * iterations, seconds, held-out top-1), kNN and retrieval, for the raw and random baselines.
 * Features are cached as .npy in --cache, so later runs skip decoding and extraction.
 *
 *   npm run bench:probe -- [--train data/fashion-mnist/train] [--test data/fashion-mnist/test] [--cache /tmp/probe-cache] [--only raw]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/backend/select.js';
import { encoderDefaultsOf, PRETRAIN_DEFAULTS } from '../src/config/pretrainOptions.js';
import { loadImageFolder } from '../src/data/imageFolder.js';
import { selectLabels, selectRows, type Features } from '../src/eval/features.js';
import { evaluateProbe, trainLinearProbe } from '../src/eval/linearProbe.js';
import { knnAndRetrieval } from '../src/eval/neighbourScores.js';
import { readNpy, writeNpy } from '../src/io/npy.js';
import { loadFeatureExtractor } from '../src/run/loadEncoder.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}

const trainDir = flag('train', 'data/fashion-mnist/train');
const testDir = flag('test', 'data/fashion-mnist/test');
const cache = flag('cache', path.join(os.tmpdir(), 'simclr-probe-bench'));
const only = flag('only', 'raw,random').split(',');
const skipNeighbours = process.argv.includes('--no-knn');
// --train-per-class N: fit on the first N training rows of each class (a quicker comparison).
const trainPerClass = Number(flag('train-per-class', '0'));
// --compare: fit the linear probe as before this change (all columns, plain L-BFGS) and as now (process CPU seconds and top-1 of each).
const compare = process.argv.includes('--compare');
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const seconds = (t0: number) => ((performance.now() - t0) / 1000).toFixed(1);

await selectBackend('auto', { quiet: true });
const defaults = encoderDefaultsOf(PRETRAIN_DEFAULTS);
fs.mkdirSync(cache, { recursive: true });

async function cachedFeatures(name: string): Promise<{ train: Features; test: Features; trainLabels: Int32Array; testLabels: Int32Array; numClasses: number }> {
  const file = (part: string) => path.join(cache, `${name}-${part}.npy`);
  if (!fs.existsSync(file('test-labels'))) {
    let t0 = performance.now();
    const opts = { cacheSize: defaults.imageSize, concurrency: 8, cacheLimitBytes: Number.MAX_SAFE_INTEGER };
    const train = await loadImageFolder(trainDir, opts);
    const test = await loadImageFolder(testDir, opts, train.classNames);
    console.log(`${name}: decoded ${train.labels.length} + ${test.labels.length} images in ${seconds(t0)} s`);
    const extractor = await loadFeatureExtractor(name, defaults);
    t0 = performance.now();
    for (const [part, split] of [['train', train], ['test', test]] as const) {
      const source = split.dataset.source;
      if (source.kind !== 'memory') throw new Error('expected decoded images');
      await writeNpy(file(part), extractor.embed(source.pixels, split.labels.length), [split.labels.length, extractor.dim]);
      await writeNpy(file(`${part}-labels`), split.labels, [split.labels.length]);
    }
    console.log(`${name}: ${extractor.dim}-d features in ${seconds(t0)} s`);
    extractor.dispose();
  }
  const load = async (part: string) => readNpy(file(part));
  const [tr, te, trl, tel] = await Promise.all(['train', 'test', 'train-labels', 'test-labels'].map(load));
  const trainLabels = trl.data as Int32Array;
  const numClasses = Math.max(...trainLabels) + 1;
  return {
    train: { data: tr.data as Float32Array, n: tr.shape[0], dim: tr.shape[1] },
    test: { data: te.data as Float32Array, n: te.shape[0], dim: te.shape[1] },
    trainLabels,
    testLabels: tel.data as Int32Array,
    numClasses,
  };
}

function firstPerClass(labels: Int32Array, perClass: number): number[] {
  const seen = new Map<number, number>();
  const rows: number[] = [];
  labels.forEach((l, i) => {
    if ((seen.get(l) ?? 0) < perClass) rows.push(i);
    seen.set(l, (seen.get(l) ?? 0) + 1);
  });
  return rows;
}

for (const name of only) {
  const f = await cachedFeatures(name);
  if (trainPerClass > 0) {
    const rows = firstPerClass(f.trainLabels, trainPerClass);
    f.train = selectRows(f.train, rows);
    f.trainLabels = selectLabels(f.trainLabels, rows);
  }
  console.log(`${name}: ${f.train.n} train rows of dim ${f.train.dim}, ${f.test.n} test rows`);
  for (const merge of compare ? [false, true] : [true]) {
  let t0 = performance.now();
  const cpu0 = cpuSeconds();
  let last = performance.now();
  const model = trainLinearProbe(f.train, f.trainLabels, f.numClasses, {
    mergeEqualColumns: merge,
    precondition: merge,
    onProgress: (p) => {
      const now = performance.now();
      console.log(`  ${name} ${p.stage} λ=${p.lambda.toExponential(0)}: ${p.iterations} iterations, ${((now - last) / 1000).toFixed(1)} s${p.valTop1 === undefined ? '' : `, held-out top-1 ${(100 * p.valTop1).toFixed(2)}`}`);
      last = now;
    },
  });
  const scores = evaluateProbe(model, f.test, f.testLabels);
  console.log(`${name}: linear probe${compare ? (merge ? ' (now: equal columns merged, preconditioned)' : ' (before: all columns, plain L-BFGS)') : ''} ${seconds(t0)} s wall, ${(cpuSeconds() - cpu0).toFixed(1)} s CPU, λ ${model.lambda}, test top-1 ${(100 * scores.top1).toFixed(2)}`);
  }
  if (skipNeighbours) continue;
  const t0 = performance.now();
  const { knn, retrieval: r } = knnAndRetrieval(f.train, f.trainLabels, f.test, f.testLabels, f.numClasses, { k: 20 });
  console.log(`${name}: kNN + retrieval (one neighbour search) ${seconds(t0)} s, kNN top-1 ${(100 * knn.top1).toFixed(2)}, R@1 ${(100 * r.recallAt[1]).toFixed(2)}, mAP@R ${(100 * r.mapAtR).toFixed(2)}`);
}
