import * as tf from '@tensorflow/tfjs';
import { viewLogits } from './contrastiveLogits.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';

/** τ of supervised NT-Xent: Khosla et al. (2020) train with 0.1. */
export const SUPCON_TEMPERATURE = 0.1;

/**
 * Supervised contrastive loss (SupCon, Khosla et al. 2020, L_out): every view of a same-class
 * image is a positive of an anchor, and its loss is the mean over its positives P(i) of
 *   −log( exp(s(i,p)/τ) / Σ_{k≠i} exp(s(i,k)/τ) ),
 * averaged over all 2B anchors. With one image per class it is NT-Xent. `labels`: the class of
 * each of the B images.
 */
export function supConLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, labels: Int32Array, temperature = SUPCON_TEMPERATURE): tf.Scalar {
  return tf.tidy(() => softmaxCrossEntropy(viewLogits(z1, z2, { temperature, labels })));
}

/** The loss plus [loss, top1, positiveCosine, negativeCosine] as one [4] tensor (read once). */
export function supConWithStats(z1: tf.Tensor2D, z2: tf.Tensor2D, labels: Int32Array, temperature = SUPCON_TEMPERATURE): { loss: tf.Scalar; stats: tf.Tensor1D } {
  return tf.tidy(() => {
    const logits = viewLogits(z1, z2, { temperature, labels });
    const loss = softmaxCrossEntropy(logits);
    return { loss, stats: tf.concat([tf.reshape(loss, [1]), logits.stats]) as tf.Tensor1D };
  });
}
