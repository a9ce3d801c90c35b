import { formatSkipped } from '../data/dataset.js';
import { loadImageFolder, type LabelledDataset } from '../data/imageFolder.js';
import type { FeatureExtractor } from '../models/featureExtractor.js';
import type { Features } from './features.js';

/** A labelled train/test pair of ImageFolders, decoded at one size, classes in the train split's order. */
export interface LabelledSplits {
  train: LabelledDataset;
  test: LabelledDataset;
}

export async function loadLabelledSplits(
  dirs: { train: string; test: string },
  opts: { size: number; concurrency: number },
  log: (line: string) => void,
): Promise<LabelledSplits> {
  // Features need every image in memory anyway: no streaming cache limit here.
  const load = { cacheSize: opts.size, concurrency: opts.concurrency, cacheLimitBytes: Number.MAX_SAFE_INTEGER };
  const started = Date.now();
  const train = await loadImageFolder(dirs.train, load);
  const test = await loadImageFolder(dirs.test, load, train.classNames);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  for (const [name, split] of [['train', train], ['test', test]] as const) {
    log(`${name}: ${split.labels.length} images in ${split.classNames.length} classes from ${dirs[name]}${name === 'test' ? ` (both decoded in ${seconds} s)` : ''}`);
    if (split.dataset.skipped.length > 0) log(formatSkipped(split.dataset.skipped));
  }
  return { train, test };
}

/** The extractor's features of every image of a split. */
export function featuresOf(extractor: FeatureExtractor, split: LabelledDataset): Features {
  const source = split.dataset.source;
  if (source.kind !== 'memory') throw new Error('features: images must be decoded into memory');
  const n = split.labels.length;
  return { data: extractor.embed(source.pixels, n), n, dim: extractor.dim };
}
