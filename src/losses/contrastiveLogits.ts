import * as tf from '@tensorflow/tfjs';
import { maskedLogits, pairMasks, type PairRule } from './contrastiveMasks.js';
import { contrastiveStatMeans, contrastiveStatSums } from './contrastiveStats.js';
import { l2Normalize } from './distances.js';
import { drawExtraNegatives, type NegativeSample } from './negativeSampling.js';
import { checkViewPair, viewLabels, type GroupRelation } from './views.js';

/**
 * The logits every softmax / logistic objective (NT-Xent, InfoNCE, NCE, MoCo) is computed on:
 * s/τ of each anchor against the C candidates, [A, C], where columns the rule leaves out hold
 * MASKED_LOGIT, and against the K extra negatives, [A, K] (kept apart: K may be 65536, and
 * joining the blocks would copy it).
 */
export type ContrastiveLogits = {
  logits: tf.Tensor2D;
  /** Negatives of every anchor; absent without extra negatives. */
  extraLogits?: tf.Tensor2D;
  positiveMask: tf.Tensor2D;
  negativeMask: tf.Tensor2D;
  /** [top1, positiveCosine, negativeCosine] over the anchors (CONTRASTIVE_LOGIT_STATS), over the negatives kept. */
  stats: tf.Tensor1D;
  /** Mean negatives per anchor, the batch's and the extra ones (with --negatives: K actually used). */
  negativesPerAnchor: number;
};

export interface ContrastiveLogitsOptions extends PairRule {
  temperature: number;
  /**
   * Unit rows that are negatives of every anchor (a MoCo queue), [K, D]; constants: no gradient
   * reaches them. With `sampleNegatives` (and no batch negatives) each anchor keeps K of them.
   */
  extraNegatives?: tf.Tensor2D;
}

/**
 * Logits of L2-normalised `anchors` [A, D] against L2-normalised `candidates` [C, D]:
 * cos/τ, with positives and negatives given by the rule's labels (the views of one image share
 * a label; so, supervised, may a class).
 */
export function contrastiveLogits(anchors: tf.Tensor2D, candidates: tf.Tensor2D, o: ContrastiveLogitsOptions): ContrastiveLogits {
  const [a, d] = anchors.shape;
  const [c, dc] = candidates.shape;
  const extra = o.extraNegatives !== undefined && o.extraNegatives.shape[0] > 0 ? o.extraNegatives : undefined;
  if (a < 1 || c < 1 || d !== dc || (extra !== undefined && extra.shape[1] !== d)) {
    throw new Error(
      `contrastiveLogits: need anchors [A ≥ 1, D], candidates [C ≥ 1, D] and extra negatives [K, D], ` +
        `got [${anchors.shape}], [${candidates.shape}], [${o.extraNegatives?.shape ?? ''}]`,
    );
  }
  if (o.anchorLabels.length !== a || o.candidateLabels.length !== c) {
    throw new Error(`contrastiveLogits: ${o.anchorLabels.length} anchor and ${o.candidateLabels.length} candidate labels for ${a} anchors, ${c} candidates`);
  }
  if (!(o.temperature > 0 && Number.isFinite(o.temperature))) {
    throw new Error(`contrastiveLogits: temperature must be a positive number, got ${o.temperature}`);
  }
  if (extra && o.sampleNegatives && o.batchNegatives !== false) {
    throw new Error('contrastiveLogits: negative sampling draws from the batch or from the extra negatives, not both (MoCo has no batch negatives)');
  }
  let negativesPerAnchor = 0;
  const out = tf.tidy(() => {
    const masks = pairMasks(o);
    negativesPerAnchor = masks.negativesPerAnchor;
    // Explicit transpose: matMul with a transposed operand is far slower on wasm.
    const cos = tf.matMul(anchors, tf.transpose(candidates)) as tf.Tensor2D;
    let extraCos = extra && similarityToConstants(anchors, extra);
    if (extraCos && o.sampleNegatives) {
      const { indices, k } = drawExtraNegatives(a, extraCos.shape[1], o.sampleNegatives);
      extraCos = gatherDrawn(extraCos, indices, k);
    }
    if (extraCos) negativesPerAnchor += extraCos.shape[1];
    const logits = maskedLogits(cos, masks.excluded, o.temperature);
    const extraLogits = extraCos && (tf.div(extraCos, o.temperature) as tf.Tensor2D);
    const stats = contrastiveStatMeans(contrastiveStatSums(cos, masks.positive, masks.negative, extraCos), a);
    return { logits, extraLogits, positiveMask: masks.positive, negativeMask: masks.negative, stats };
  });
  return { ...out, negativesPerAnchor };
}

/**
 * x·keysᵀ, [A, K], with no gradient to the keys. Both passes are plain matMuls: tfjs's own
 * gradient multiplies by a transposed operand, which on wasm ran at a fifth of the speed
 * (3.9 s vs 0.76 s for B = 256, K = 65536, D = 128).
 */
function similarityToConstants(x: tf.Tensor2D, keys: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...inputs) => {
    const [input, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc];
    // Saved, so the backward pass still has the keys when the caller's tidy has disposed them.
    save([keys]);
    return {
      value: tf.matMul(input, tf.transpose(keys)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.matMul(dy as tf.Tensor2D, saved[0] as tf.Tensor2D),
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * Each anchor's K drawn columns of x [A, Q] (flat row-major `indices`), [A, K]. The gradient
 * scatters back into [A, Q] with ScatterNd: tfjs's own gather gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks (the indices are distinct, so a scatter is exact).
 */
function gatherDrawn(x: tf.Tensor2D, indices: Int32Array, k: number): tf.Tensor2D {
  const [a, q] = x.shape;
  const flat = tf.tensor2d(indices, [indices.length, 1], 'int32');
  const op = tf.customGrad((...inputs) => {
    const [input, save] = inputs as [tf.Tensor2D, tf.GradSaveFunc];
    save([flat]);
    return {
      value: tf.reshape(tf.gatherND(tf.reshape(input, [-1]), flat), [a, k]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.reshape(tf.scatterND(saved[0], tf.reshape(dy, [-1]), [a * q]), [a, q]),
    };
  });
  return op(x) as tf.Tensor2D;
}

export interface ViewLogitsOptions {
  temperature: number;
  /** Anchors: the first rows of [z1; z2], B (view 1 only, InfoNCE) or 2B (every view, NT-Xent and NCE; the default). */
  anchors?: number;
  /** Per-image labels (length B): every view of the same label is a positive. Omitted: the other view of the image. */
  labels?: Int32Array;
  /** Related images (by label, or by batch position without labels): their views are positives too (--pairs). */
  related?: GroupRelation;
  /** K drawn negatives per anchor instead of all (--negatives). */
  sampleNegatives?: NegativeSample;
}

/**
 * Contrastive logits of a batch's views: the anchors against all 2B views [z1; z2] (L2-normalised
 * here), self left out; a view's positive is the other view of its image, every other view a negative.
 */
export function viewLogits(z1: tf.Tensor2D, z2: tf.Tensor2D, o: ViewLogitsOptions): ContrastiveLogits {
  checkViewPair(z1, z2);
  const views = 2 * z1.shape[0];
  const anchors = o.anchors ?? views;
  if (!(Number.isInteger(anchors) && anchors >= 1 && anchors <= views)) {
    throw new Error(`viewLogits: anchors must be 1..${views} (the views), got ${anchors}`);
  }
  const labels = viewLabels(z1.shape[0], o.labels);
  return tf.tidy(() => {
    const u = l2Normalize(tf.concat([z1, z2], 0));
    const a = anchors === views ? u : tf.slice(u, [0, 0], [anchors, -1]);
    return contrastiveLogits(a, u, { temperature: o.temperature, anchorLabels: labels.subarray(0, anchors), candidateLabels: labels, selfOffset: 0, related: o.related, sampleNegatives: o.sampleNegatives });
  });
}
