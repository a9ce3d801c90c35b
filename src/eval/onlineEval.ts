import type * as tf from '@tensorflow/tfjs';
import { fromLayersModel } from '../models/featureExtractor.js';
import { KNN_DEFAULTS, knnClassify } from './knn.js';
import { featuresOf, type LabelledSplits } from './labelledSplits.js';
import { linearProbe } from './linearProbe.js';

export interface OnlineEvalOptions {
  k?: number;
  /** Also a quick linear probe (one λ, chosen on the held-out part, from a short grid). */
  linear?: boolean;
  /** Seeds the probe's held-out split: its own stream, never the training RNG. */
  seed?: number;
}

/** The figures of one evaluation, keyed as metrics.jsonl and TensorBoard show them. */
export type OnlineEvalFigures = Record<`eval/${string}`, number>;

// Fewer λs than the full probe: this runs every few hundred steps, the full probe once at the end.
const QUICK_LAMBDAS = [1e-2, 1e-4];

/**
 * Scores the encoder as it trains: kNN top-1 (and optionally a quick linear probe) of its
 * frozen features on a labelled split. Features come from an inference copy of the encoder
 * (BatchNorm folded with its moving statistics, featureExtractor.ts), so the moving statistics,
 * the weights and the views of training are untouched.
 */
export function onlineEvaluator(splits: LabelledSplits, o: OnlineEvalOptions = {}): (encoder: tf.LayersModel) => OnlineEvalFigures {
  const numClasses = splits.train.classNames.length;
  return (encoder) => {
    const started = performance.now();
    const extractor = fromLayersModel('current', encoder, { borrowed: true }); // the encoder is the model's
    let train, test;
    try {
      train = featuresOf(extractor, splits.train);
      test = featuresOf(extractor, splits.test);
    } finally {
      extractor.dispose();
    }
    const knn = knnClassify(train, splits.train.labels, test, numClasses, { k: o.k ?? KNN_DEFAULTS.k, testLabels: splits.test.labels });
    const figures: OnlineEvalFigures = { 'eval/knn_top1': knn.top1! };
    if (o.linear) {
      const probe = linearProbe(train, splits.train.labels, test, splits.test.labels, numClasses, { seed: o.seed ?? 0, lambdas: QUICK_LAMBDAS });
      figures['eval/linear_top1'] = probe.top1;
    }
    figures['eval/seconds'] = (performance.now() - started) / 1000;
    return figures;
  };
}
