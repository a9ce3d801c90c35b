import * as tf from '@tensorflow/tfjs';
import { assertFeatures, assertLabels, assertSameDim, selectLabels, selectRows, type Features } from './features.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from './standardize.js';
import { stratifiedSplit } from './stratifiedSplit.js';
import { expandWeights, groupEqualColumns, standardizeMerged } from './equalColumns.js';
import { SoftmaxObjective } from './softmaxObjective.js';
import { minimizeLbfgs } from './lbfgs.js';
import { meanCrossEntropy, topKAccuracy, topKHits } from './classifierScores.js';

/**
 * Linear probe: multinomial logistic regression on standardised frozen features.
 *
 * Optimiser: full-batch L-BFGS (memory 10, Armijo backtracking). The objective is smooth and
 * strongly convex for λ > 0, where L-BFGS converges in tens to a few hundred evaluations with
 * no learning rate to tune, unlike full-batch Adam whose step size would itself need a sweep.
 * λ is picked on a stratified held-out part of the training set, walking the grid from the
 * largest λ down and warm-starting each fit from the previous one (the regularisation path);
 * the chosen λ is then refit on the whole training set, warm-started from its held-out fit.
 * Held-out accuracy along the path rises then falls, and the small-λ fits are the slow ones
 * (nearly unregularised, hundreds of iterations on wide raw-pixel features), so the walk stops
 * once `searchPatience` λs in a row score below the best so far (default 1: one more λ past the
 * peak was the slowest fit of the walk, and on raw and random Fashion-MNIST features stopping
 * at the first λ below the best chose the same λ; bench/README.md).
 */
export const DEFAULT_LAMBDAS = [1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

export interface ProbeProgress {
  stage: 'search' | 'refit';
  lambda: number;
  iterations: number;
  loss: number;
  /** Held-out top-1 (search stage only). */
  valTop1?: number;
}

export interface LinearProbeOptions {
  /** L2 weights to try (on W only, objective = mean CE + λ/2·‖W‖²). */
  lambdas?: number[];
  /** Share of each class held out of the training set to choose λ. */
  valFraction?: number;
  seed?: number;
  /** L-BFGS iterations per fit. */
  maxIter?: number;
  /** Relative loss decrease per iteration below which the final fit stops. */
  tol?: number;
  /**
   * The same for the fits that only choose λ: held-out top-1 settles long before the loss does
   * (raw Fashion-MNIST pixels: 1e-4 instead of 1e-5 halved the search, top-1 within 0.03).
   */
  searchTol?: number;
  /** Stop the λ walk after this many λs in a row below the best held-out top-1 (Infinity: walk the whole grid). */
  searchPatience?: number;
  /**
   * Fit on one column per group of equal (standardised) columns, scaled by √copies, and all-zero
   * columns left out: the same optimum (see equalColumns.ts) at a fraction of the cost when
   * columns repeat, e.g. 1024 instead of 3072 for grayscale images as RGB pixels. Default true.
   */
  mergeEqualColumns?: boolean;
  /** L-BFGS with H₀ from the Hessian bound (SoftmaxObjective.preconditioner). Default true. */
  precondition?: boolean;
  onProgress?: (p: ProbeProgress) => void;
}

export interface LambdaTrial {
  lambda: number;
  valTop1: number;
  valLoss: number;
  iterations: number;
}

export interface LinearProbeModel {
  standardizer: Standardizer;
  /** dim × numClasses, row-major, acting on standardised features. */
  weights: Float32Array;
  bias: Float32Array;
  dim: number;
  numClasses: number;
  lambda: number;
  /** Held-out top-1 of the chosen λ. */
  valTop1: number;
  /** L-BFGS iterations of the final (full training set) fit. */
  iterations: number;
  trials: LambdaTrial[];
}

export interface LinearProbeResult {
  top1: number;
  top5?: number;
  lambda: number;
  valTop1: number;
  iterations: number;
}

export function trainLinearProbe(
  train: Features,
  trainLabels: Int32Array,
  numClasses: number,
  opts: LinearProbeOptions = {},
): LinearProbeModel {
  const { lambdas = DEFAULT_LAMBDAS, valFraction = 0.2, seed = 0, maxIter = 500, tol = 1e-5, searchTol = 1e-4, searchPatience = 1, mergeEqualColumns = true, precondition = true, onProgress } = opts;
  assertFeatures(train, 'linear probe train features');
  assertLabels(trainLabels, train.n, numClasses, 'linear probe train labels');
  if (lambdas.length === 0 || lambdas.some((l) => !(l >= 0) || !Number.isFinite(l))) {
    throw new Error(`lambdas must be a non-empty list of finite numbers >= 0 (got [${lambdas.join(', ')}])`);
  }
  if (!(searchPatience >= 1)) throw new Error(`searchPatience must be >= 1 (got ${searchPatience})`);
  const standardizer = fitStandardizer(train);
  // Grouped on the raw columns: equal ones standardise alike, constant ones to exactly zero.
  const groups = mergeEqualColumns ? groupEqualColumns(train, { dropConstant: true }) : undefined;
  const merged = groups !== undefined && groups.representative.length < train.dim;
  const x = merged ? standardizeMerged(standardizer, train, groups) : applyStandardizer(standardizer, train);
  const fit = (obj: SoftmaxObjective, lambda: number, start: Float64Array, fitTol = tol) =>
    minimizeLbfgs((p) => obj.evaluate(p, lambda), start, { maxIter, tol: fitTol, preconditioner: precondition ? obj.preconditioner(lambda) : undefined });

  const split = stratifiedSplit(trainLabels, numClasses, valFraction, seed);
  const valX = selectRows(x, split.val);
  const valY = selectLabels(trainLabels, split.val);
  const trials: LambdaTrial[] = [];
  const solutions: Float64Array[] = [];
  const path = [...lambdas].sort((a, b) => b - a);
  const searchObjective = new SoftmaxObjective(selectRows(x, split.train), selectLabels(trainLabels, split.train), numClasses);
  try {
    let params: Float64Array = new Float64Array(searchObjective.parameterCount);
    for (const lambda of path) {
      const r = fit(searchObjective, lambda, params, searchTol);
      params = r.x;
      const logits = linearLogits(valX, params, numClasses);
      const trial = {
        lambda,
        valTop1: topKAccuracy(logits, valY, numClasses, 1),
        valLoss: meanCrossEntropy(logits, valY, numClasses),
        iterations: r.iterations,
      };
      trials.push(trial);
      solutions.push(params);
      onProgress?.({ stage: 'search', lambda, iterations: r.iterations, loss: r.value, valTop1: trial.valTop1 });
      if (belowBestInARow(trials) >= searchPatience) break;
    }
  } finally {
    searchObjective.dispose();
  }

  // Best held-out top-1; an exact tie goes to the lower held-out loss (better calibrated).
  let best = 0;
  for (let i = 1; i < trials.length; i++) {
    const t = trials[i];
    const b = trials[best];
    if (t.valTop1 > b.valTop1 || (t.valTop1 === b.valTop1 && t.valLoss < b.valLoss)) best = i;
  }
  const { lambda, valTop1 } = trials[best];

  const fullObjective = new SoftmaxObjective(x, trainLabels, numClasses);
  let final;
  try {
    final = fit(fullObjective, lambda, solutions[best]);
  } finally {
    fullObjective.dispose();
  }
  onProgress?.({ stage: 'refit', lambda, iterations: final.iterations, loss: final.value });
  const wCount = x.dim * numClasses;
  const weights = merged ? expandWeights(final.x.subarray(0, wCount), groups, numClasses) : Float32Array.from(final.x.subarray(0, wCount));
  return {
    standardizer,
    weights,
    bias: Float32Array.from(final.x.subarray(wCount)),
    dim: train.dim,
    numClasses,
    lambda,
    valTop1,
    iterations: final.iterations,
    trials,
  };
}

/** How many of the last trials, in a row, scored below the best held-out top-1 so far. */
function belowBestInARow(trials: LambdaTrial[]): number {
  const best = Math.max(...trials.map((t) => t.valTop1));
  let count = 0;
  for (let i = trials.length - 1; i >= 0 && trials[i].valTop1 < best; i--) count++;
  return count;
}

/** Top-1 (and top-5 when there are at least 10 classes) of the probe on labelled features, and which rows it got right. */
export function evaluateProbe(
  model: LinearProbeModel,
  test: Features,
  testLabels: Int32Array,
): { top1: number; top5?: number; top1Hits: Uint8Array } {
  assertFeatures(test, 'linear probe test features');
  assertLabels(testLabels, test.n, model.numClasses, 'linear probe test labels');
  if (test.dim !== model.dim) throw new Error(`probe was trained on dim ${model.dim}, test features have dim ${test.dim}`);
  const params = new Float64Array(model.weights.length + model.bias.length);
  params.set(model.weights);
  params.set(model.bias, model.weights.length);
  const logits = linearLogits(applyStandardizer(model.standardizer, test), params, model.numClasses);
  const top1Hits = topKHits(logits, testLabels, model.numClasses, 1);
  const top1 = top1Hits.reduce((s, h) => s + h, 0) / test.n;
  return model.numClasses >= 10 ? { top1, top5: topKAccuracy(logits, testLabels, model.numClasses, 5), top1Hits } : { top1, top1Hits };
}

/** Train on `train` (λ picked on a held-out part of it), score on `test` (`top1Hits`: per test row, for paired comparisons). */
export function linearProbe(
  train: Features,
  trainLabels: Int32Array,
  test: Features,
  testLabels: Int32Array,
  numClasses: number,
  opts: LinearProbeOptions = {},
): LinearProbeResult & { top1Hits: Uint8Array } {
  assertSameDim(train, test, 'train features', 'test features');
  const model = trainLinearProbe(train, trainLabels, numClasses, opts);
  return { ...evaluateProbe(model, test, testLabels), lambda: model.lambda, valTop1: model.valTop1, iterations: model.iterations };
}

/** x·W + b for flat parameters (W row-major dim × C, then b). */
function linearLogits(x: Features, params: Float64Array, numClasses: number): Float32Array {
  const wCount = x.dim * numClasses;
  const logits = tf.tidy(() =>
    tf.add(
      tf.matMul(tf.tensor2d(x.data, [x.n, x.dim]), tf.tensor2d(Float32Array.from(params.subarray(0, wCount)), [x.dim, numClasses])),
      tf.tensor1d(Float32Array.from(params.subarray(wCount))),
    ),
  );
  const out = logits.dataSync() as Float32Array;
  logits.dispose();
  return out;
}
