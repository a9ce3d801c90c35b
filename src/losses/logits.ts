import type * as tf from '@tensorflow/tfjs';

/** Shape check shared by the logit losses: positives [B], negatives [B, K]. */
export function checkLogits(positiveLogits: tf.Tensor, negativeLogits: tf.Tensor, loss: string): void {
  if (
    positiveLogits.rank !== 1 ||
    negativeLogits.rank !== 2 ||
    negativeLogits.shape[0] !== positiveLogits.shape[0] ||
    positiveLogits.shape[0] < 1
  ) {
    throw new Error(
      `${loss}: expected positive logits [B] and negative logits [B, K] with B ≥ 1, ` +
        `got [${positiveLogits.shape}] and [${negativeLogits.shape}]`,
    );
  }
}
