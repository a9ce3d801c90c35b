import * as tf from '@tensorflow/tfjs';
import { drawNegatives, type NegativeSample } from './negativeSampling.js';
import type { GroupRelation } from './views.js';

/**
 * Logit of a column that is neither a positive nor a negative of its anchor (itself; MoCo's
 * other batch keys): exp() and softplus() of it are exactly 0 in float32, so the column weighs
 * nothing in a softmax or a logistic term and gets zero gradient, and the logits stay one dense
 * matrix (wasm has no gradient kernel for the gather that dropping the column would need).
 */
export const MASKED_LOGIT = -1e9;

/** Which anchor–candidate pairs are positives and which negatives; the rest are left out. */
export interface PairRule {
  /** Group of each anchor and of each candidate: the same group makes a positive pair. */
  anchorLabels: Int32Array;
  candidateLabels: Int32Array;
  /** Groups that are also positives (pairs from --pairs); the same group always is. */
  related?: GroupRelation;
  /** Anchor i is candidate selfOffset + i (never its own positive or negative); omitted: the anchors are not candidates. */
  selfOffset?: number;
  /** Whether candidates of another group are negatives (default); false: they are left out (MoCo's negatives are its queue alone). */
  batchNegatives?: boolean;
  /** Keep K drawn negatives per anchor, leave the rest out (--negatives). */
  sampleNegatives?: NegativeSample;
}

/** [A, C] 0/1 masks of a PairRule; `excluded` = neither positive nor negative. */
export interface PairMasks {
  positive: tf.Tensor2D;
  negative: tf.Tensor2D;
  excluded: tf.Tensor2D;
  /** Mean negatives per anchor in the batch block (K actually used, with --negatives). */
  negativesPerAnchor: number;
}

/** The masks of a rule, made on the CPU (labels are plain arrays) and uploaded once. */
export function pairMasks(rule: PairRule): PairMasks {
  const { anchorLabels, candidateLabels, selfOffset, related, batchNegatives = true, sampleNegatives } = rule;
  const a = anchorLabels.length;
  const c = candidateLabels.length;
  if (selfOffset !== undefined && !(Number.isInteger(selfOffset) && selfOffset >= 0 && selfOffset + a <= c)) {
    throw new Error(`pairMasks: anchors ${selfOffset}..${selfOffset + a - 1} are not among the ${c} candidates`);
  }
  const positive = new Float32Array(a * c);
  const negative = new Float32Array(a * c);
  const excluded = new Float32Array(a * c);
  for (let i = 0; i < a; i++) {
    for (let j = 0; j < c; j++) {
      const k = i * c + j;
      if (selfOffset !== undefined && j === selfOffset + i) excluded[k] = 1;
      else if (candidateLabels[j] === anchorLabels[i] || (related !== undefined && related(anchorLabels[i], candidateLabels[j]))) positive[k] = 1;
      else if (batchNegatives) negative[k] = 1;
      else excluded[k] = 1;
    }
    if (sampleNegatives) keepDrawnNegatives(negative, excluded, i * c, c, sampleNegatives);
  }
  let negatives = 0;
  for (let k = 0; k < negative.length; k++) negatives += negative[k];
  return {
    negativesPerAnchor: a > 0 ? negatives / a : 0,
    positive: tf.tensor2d(positive, [a, c]),
    negative: tf.tensor2d(negative, [a, c]),
    excluded: tf.tensor2d(excluded, [a, c]),
  };
}

/** Row [start, start + c) of the masks: the negatives not drawn move to `excluded`. */
function keepDrawnNegatives(negative: Float32Array, excluded: Float32Array, start: number, c: number, sample: NegativeSample): void {
  const columns: number[] = [];
  for (let j = 0; j < c; j++) if (negative[start + j]) columns.push(j);
  if (columns.length <= sample.count) return;
  for (const j of columns) {
    negative[start + j] = 0;
    excluded[start + j] = 1;
  }
  for (const j of drawNegatives(columns, sample.count, sample.rng)) {
    negative[start + j] = 1;
    excluded[start + j] = 0;
  }
}

/** cos/τ with the excluded columns at MASKED_LOGIT. */
export function maskedLogits(cos: tf.Tensor2D, excluded: tf.Tensor2D, temperature: number): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.div(cos, temperature), tf.mul(excluded, MASKED_LOGIT)));
}
