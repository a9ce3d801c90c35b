import * as tf from '@tensorflow/tfjs';
import { contrastiveLogits, type ContrastiveLogits } from './contrastiveLogits.js';
import { l2Normalize } from './distances.js';
import { INFO_NCE_TEMPERATURE } from './infoNce.js';
import type { KeyQueue } from './keyQueue.js';
import type { NegativeSample } from './negativeSampling.js';
import { softmaxCrossEntropy } from './softmaxCrossEntropy.js';
import { stopGradient } from './stopGradient.js';
import { checkViewPair } from './views.js';

/**
 * MoCo's loss (He et al. 2020): InfoNCE of each L2-normalised query q_b against its key k_b
 * (the positive; no gradient flows into k) and the K keys in the queue (the negatives), τ = 0.07.
 * The queue must hold L2-normalised keys: after the step, enqueue l2Normalize(k). An empty
 * queue gives K = 0 and a loss of 0.
 */
export function mocoLoss(q: tf.Tensor2D, k: tf.Tensor2D, queue: KeyQueue, temperature = INFO_NCE_TEMPERATURE): tf.Scalar {
  return tf.tidy(() => softmaxCrossEntropy(mocoLogits(q, k, queue, temperature)));
}

export interface MocoStats {
  loss: number;
  /** Fraction of queries whose key beats every queue entry (MoCo's logged accuracy). */
  top1: number;
  positiveCosine: number;
  /** Mean cosine to the queue (NaN while it is empty). */
  negativeCosine: number;
}

/** The loss plus plain numbers for logging (one read of 4 numbers). */
export function mocoLossWithStats(
  q: tf.Tensor2D,
  k: tf.Tensor2D,
  queue: KeyQueue,
  temperature = INFO_NCE_TEMPERATURE,
): { loss: tf.Scalar; stats: MocoStats } {
  const [loss, summary] = tf.tidy(() => {
    const logits = mocoLogits(q, k, queue, temperature);
    const loss = softmaxCrossEntropy(logits);
    return [loss, tf.concat([tf.reshape(loss, [1]), logits.stats])];
  });
  const [lossValue, top1, positiveCosine, negativeCosine] = summary.dataSync();
  summary.dispose();
  return { loss: loss as tf.Scalar, stats: { loss: lossValue, top1, positiveCosine, negativeCosine } };
}

/**
 * Each query against the batch's keys, of which only its own counts (MoCo's negatives are the
 * queue alone), then against the queue — or, with `sampleNegatives` (--negatives K), against K
 * queue entries drawn for it; the key's gradient is stopped.
 */
export function mocoLogits(q: tf.Tensor2D, k: tf.Tensor2D, queue: KeyQueue, temperature = INFO_NCE_TEMPERATURE, sampleNegatives?: NegativeSample): ContrastiveLogits {
  checkViewPair(q, k);
  if (q.shape[1] !== queue.dim) {
    throw new Error(`mocoLoss: embeddings have dim ${q.shape[1]} but the queue holds dim ${queue.dim}`);
  }
  const images = Int32Array.from({ length: q.shape[0] }, (_, i) => i);
  return tf.tidy(() =>
    contrastiveLogits(l2Normalize(q), stopGradient(l2Normalize(k)), {
      temperature,
      anchorLabels: images,
      candidateLabels: images,
      batchNegatives: false,
      extraNegatives: queue.keys,
      sampleNegatives,
    }),
  );
}
