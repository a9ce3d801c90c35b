import * as tf from '@tensorflow/tfjs';
import { contrastiveLogits, type ContrastiveLogits } from './contrastiveLogits.js';
import { l2Normalize } from './distances.js';
import { checkViewPair, viewLabels } from './views.js';

export interface ViewLogitsOptions {
  temperature: number;
  /** Anchors: the first rows of [z1; z2], B (view 1 only, InfoNCE) or 2B (every view, NT-Xent and NCE; the default). */
  anchors?: number;
  /** Per-image labels (length B): every view of the same label is a positive. Omitted: the other view of the image. */
  labels?: Int32Array;
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
    return contrastiveLogits(a, u, { temperature: o.temperature, anchorLabels: labels.subarray(0, anchors), candidateLabels: labels, selfOffset: 0 });
  });
}
