import { selectBackend, type BackendName } from '../src/backend/select.js';
import { describeSubset, labelSubset, labelSubsetsOf, type LabelSubset } from '../src/data/labelSubset.js';
import { selectLabels, selectRows } from '../src/eval/features.js';
import { featuresOf, loadLabelledSplits, type LabelledSplits } from '../src/eval/labelledSplits.js';
import { KNN_DEFAULTS, knnClassify } from '../src/eval/knn.js';
import { linearProbe, type LinearProbeResult } from '../src/eval/linearProbe.js';
import { comparePaired } from '../src/eval/pairedComparison.js';
import { formatProbeSummary, type EvalScores, type ProbeReport, type SubsetScores } from '../src/eval/report.js';
import { knnAndRetrieval } from '../src/eval/neighbourScores.js';
import { pairRetrieval } from '../src/eval/pairRetrieval.js';
import { describePairs, loadPairs } from '../src/data/pairsFile.js';
import { writeJsonAtomic } from '../src/io/atomic.js';
import type { EncoderSpecDefaults, FeatureExtractor } from '../src/models/featureExtractor.js';
import { loadFeatureExtractor } from '../src/run/loadEncoder.js';

const BASELINE_NAMES: readonly string[] = ['raw', 'random'];

export interface ProbeArgs {
  encoder: string;
  train: string;
  test: string;
  out?: string;
  backend: BackendName;
  /** Threads of the onednn backend (default: all cores). */
  threads?: number;
  /** Also score the `raw` and `random` baselines next to the encoder. */
  baselines: boolean;
  /** Other encoders (run or encoder directories, bundled names) scored on the same split. */
  compare?: string[];
  k: number;
  /** Also score the linear probe and kNN on stratified label subsets: shares (`0.01,0.1,1`) or images per class (`1,10`). */
  labelFraction?: string;
  perClass?: string;
  seed: number;
  concurrency: number;
  /** Held-out pairs among the --test images: retrieval of each image's partner. */
  pairs?: string;
  /** Input size and architecture for `raw` / `random` (a saved encoder knows its own). */
  defaults: EncoderSpecDefaults;
}

/**
 * `simclr probe`: frozen features of a labelled train/test split (no augmentation), scored by
 * a linear probe, kNN and retrieval; optionally next to the `raw` and `random` baselines.
 */
export async function probe(args: ProbeArgs, log: (line: string) => void = console.error): Promise<ProbeReport> {
  const started = Date.now();
  const subsets = labelSubsetsOf(args);
  const backend = await selectBackend(args.backend, { quiet: true, threads: args.threads });
  log(`backend: ${backend.active}`);
  const encoder = await loadFeatureExtractor(args.encoder, args.defaults);
  const splits = await loadLabelledSplits(args, { size: encoder.inputSize, concurrency: args.concurrency }, log);
  const heldOut = args.pairs === undefined ? undefined : loadPairs(args.pairs, args.test, splits.test.dataset.paths, false, '--test');
  if (heldOut) log(`pairs: ${describePairs(heldOut.report, '--test')} from ${args.pairs}`);
  const { top1Hits, subsetRows, ...main } = scoreExtractor(encoder, splits, args, subsets, log, heldOut?.pairs);
  const report: ProbeReport = {
    encoder: args.encoder,
    source: encoder.name,
    features: { train: splits.train.labels.length, test: splits.test.labels.length, dim: encoder.dim },
    ...main,
    knn: { ...main.knn, k: args.k, temperature: KNN_DEFAULTS.temperature },
    seconds: 0,
    ...(subsets.length > 0 && { labelSubsets: subsetRows }),
  };
  encoder.dispose();

  // The other feature sets, in the table's order: compared encoders, then the baselines.
  const others: string[] = [...new Set(args.compare ?? [])].filter((name) => name !== args.encoder);
  if (args.baselines) others.push(...BASELINE_NAMES.filter((name) => name !== args.encoder && !others.includes(name)));
  if (others.length > 0) {
    const defaults = { ...args.defaults, imageSize: encoder.inputSize };
    const hits = new Map<string, Uint8Array>();
    report.baselines = {};
    report.comparisons = {};
    for (const name of others) {
      const extractor = await loadFeatureExtractor(name, defaults);
      // A compared encoder of another input size sees the same images, decoded at its size
      // (same files in the same order, so its hits pair with the others').
      let own = splits;
      if (extractor.inputSize !== encoder.inputSize) {
        try {
          own = await loadLabelledSplits(args, { size: extractor.inputSize, concurrency: args.concurrency }, () => {});
        } catch (err) {
          extractor.dispose();
          throw err;
        }
      }
      const { top1Hits: otherHits, subsetRows: otherRows, ...scores } = scoreExtractor(extractor, own, args, subsets, log, heldOut?.pairs);
      extractor.dispose();
      report.labelSubsets?.push(...otherRows);
      report.baselines[name] = scores;
      report.comparisons[name] = comparePaired(top1Hits, otherHits);
      hits.set(name, otherHits);
    }
    // Each compared encoder against the baselines too (the demo's "bundled encoder vs raw pixels").
    for (const name of args.compare ?? []) {
      const scores = report.baselines[name];
      if (!scores || BASELINE_NAMES.includes(name)) continue;
      const against = BASELINE_NAMES.filter((b) => hits.has(b));
      if (against.length > 0) scores.comparisons = Object.fromEntries(against.map((b) => [b, comparePaired(hits.get(name)!, hits.get(b)!)]));
    }
  }
  report.seconds = (Date.now() - started) / 1000;
  if (args.out) await writeJsonAtomic(args.out, { ...report, backend, train: args.train, test: args.test, classes: splits.train.classNames });
  return report;
}

/** The extractor's scores, plus which test images its linear probe got right (for paired comparisons). */
function scoreExtractor(
  extractor: FeatureExtractor,
  { train, test }: LabelledSplits,
  args: ProbeArgs,
  subsets: LabelSubset[],
  log: (line: string) => void,
  heldOutPairs?: [number, number][],
): EvalScores & { linear: LinearProbeResult; top1Hits: Uint8Array; subsetRows: SubsetScores[] } {
  // Each step's seconds in the log: where a probe of a large folder spends its time.
  let started = Date.now();
  const took = () => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    started = Date.now();
    return `${seconds} s`;
  };
  const trainFeatures = featuresOf(extractor, train);
  const testFeatures = featuresOf(extractor, test);
  const numClasses = train.classNames.length;
  log(`${extractor.name}: ${extractor.dim}-d features of ${train.labels.length + test.labels.length} images in ${took()}`);
  const { top1Hits, ...linear } = linearProbe(trainFeatures, train.labels, testFeatures, test.labels, numClasses, { seed: args.seed });
  log(`${extractor.name}: linear probe in ${took()} (λ ${linear.lambda}, ${(100 * linear.top1).toFixed(2)} % top-1)`);
  const { knn, retrieval } = knnAndRetrieval(trainFeatures, train.labels, testFeatures, test.labels, numClasses, { k: args.k });
  log(`${extractor.name}: kNN and retrieval in ${took()}`);
  const subsetRows = subsets.map((subset) => {
    const rows = labelSubset(train.labels, numClasses, subset, args.seed);
    // All the labels: the scores just computed.
    if (rows.length === train.labels.length) return { features: extractor.name, subset, trainImages: rows.length, linear, knn };
    log(`${extractor.name}: linear probe and kNN on ${describeSubset(subset)} (${rows.length} images)…`);
    const x = selectRows(trainFeatures, rows);
    const y = selectLabels(train.labels, rows);
    let fit;
    try {
      fit = linearProbe(x, y, testFeatures, test.labels, numClasses, { seed: args.seed });
    } catch (err) {
      throw new Error(`${describeSubset(subset)}: ${(err as Error).message} (choosing λ needs at least 2 images of a class to hold out)`);
    }
    const { top1Hits: _, ...subsetLinear } = fit;
    const subsetKnn = knnClassify(x, y, testFeatures, numClasses, { k: args.k, testLabels: test.labels });
    return { features: extractor.name, subset, trainImages: rows.length, linear: subsetLinear, knn: { top1: subsetKnn.top1! } };
  });
  const pairs = heldOutPairs && pairRetrieval(testFeatures, heldOutPairs);
  return { linear, knn, retrieval, ...(pairs ? { pairs } : {}), top1Hits, subsetRows };
}

export { formatProbeSummary };
