import * as tf from '@tensorflow/tfjs';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import { viewLogits } from './contrastiveLogits.js';

/** τ of NT-Xent: SimCLR's tuned default. */
export const NT_XENT_TEMPERATURE = 0.5;

/**
 * NT-Xent (SimCLR, Chen et al. 2020). For the 2N L2-normalised projections z = [z1; z2],
 * ℓ(i, j) = −log( exp(s(i,j)/τ) / Σ_{k≠i} exp(s(i,k)/τ) ), averaged over all 2N anchors;
 * each view's positive is the other view of the same image.
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature = NT_XENT_TEMPERATURE): tf.Scalar {
  return tf.tidy(() => softmaxCrossEntropy(viewLogits(z1, z2, { temperature })));
}

/** The loss plus the logged statistics as one [4] tensor, [loss, top1, positiveCosine, negativeCosine] (read once). */
export function ntXentWithStats(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  temperature = NT_XENT_TEMPERATURE,
): { loss: tf.Scalar; stats: tf.Tensor1D } {
  return tf.tidy(() => {
    const logits = viewLogits(z1, z2, { temperature });
    const loss = softmaxCrossEntropy(logits);
    return { loss, stats: tf.concat([tf.reshape(loss, [1]), logits.stats]) as tf.Tensor1D };
  });
}
