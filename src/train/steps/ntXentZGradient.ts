import * as tf from '@tensorflow/tfjs';
import { maskedLogits, pairMasks } from '../../losses/contrastiveMasks.js';
import { contrastiveStatMeans, contrastiveStatSums } from '../../losses/contrastiveStats.js';
import { crossEntropyGivenLse, positiveWeights, rowLogSumExp } from '../../losses/softmaxCrossEntropy.js';
import { viewLabels } from '../../losses/views.js';
import type { BatchRule } from './logitSteps.js';

/** NT-Xent of a batch, its gradient with respect to the projections, and the logged statistics. */
export interface NtXentZGradient {
  loss: tf.Scalar;
  /** [top1, positiveCosine, negativeCosine] (CONTRASTIVE_LOGIT_STATS). */
  stats: tf.Tensor1D;
  dz1: tf.Tensor2D;
  dz2: tf.Tensor2D;
  /** Mean batch negatives per anchor (K actually used, with --negatives). */
  negativesPerAnchor: number;
}

/** Similarity rows computed at once: bounds the [rows, 2N] temporaries (~16 MB each). */
const CHUNK_ELEMENTS = 1 << 22;

/**
 * The loss of ntXentLoss (contrastive logits of the 2N views, softmax cross-entropy) and dL/dz
 * in closed form, computed over blocks of anchor rows with the same masks, logits and
 * statistics, so memory is O(rows × 2N), not O(4N²): at 2N = 8192 views the full similarity
 * matrix alone is 268 MB and autodiff keeps a dozen of them, past the wasm heap.
 *
 * With u = z/‖z‖, logits = u uᵀ/τ (self masked), P = row softmax and W the positive weights:
 * dL/dcos = G/τ, G_ik = (P_ik − W_ik) / 2N;  dL/du = (G + Gᵀ) u / τ;
 * dL/dz = (dL/du − u (u·dL/du)) / ‖z‖ (the norm floor of l2Normalize makes it dL/du / ε below ε).
 */
export function ntXentZGradient(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number, chunkElements = CHUNK_ELEMENTS, rule: BatchRule = {}): NtXentZGradient {
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`ntXentZGradient: views must have the same shape, got [${z1.shape}] and [${z2.shape}]`);
  }
  if (!(temperature > 0)) throw new Error(`ntXentZGradient: temperature must be > 0, got ${temperature}`);
  const rows = 2 * z1.shape[0];
  const labels = viewLabels(z1.shape[0], rule.labels);
  let negatives = 0;
  const chunk = Math.max(1, Math.floor(chunkElements / rows));
  const out = tf.tidy(() => {
    const eps = 1e-12;
    const z = tf.concat([z1, z2], 0);
    const squaredNorm = tf.sum(tf.square(z), 1, true);
    const invNorm = tf.rsqrt(tf.maximum(squaredNorm, eps * eps));
    const u = tf.mul(z, invNorm) as tf.Tensor2D;
    // Explicit transpose: matMul with a transposed operand is far slower on wasm.
    const uT = tf.transpose(u);

    const lossSums: tf.Scalar[] = [];
    const statSums: tf.Tensor1D[] = [];
    const rowGrads: tf.Tensor2D[] = [];
    let columnGrad: tf.Tensor2D = tf.zerosLike(u);
    for (let start = 0; start < rows; start += chunk) {
      const size = Math.min(chunk, rows - start);
      const [rowGrad, nextColumnGrad, lossSum, stats] = tf.tidy(() => {
        const uc = tf.slice(u, [start, 0], [size, -1]);
        // Blocks run in row order, so negative draws come from the stream in the order the whole batch would take them.
        const masks = pairMasks({ anchorLabels: labels.subarray(start, start + size), candidateLabels: labels, selfOffset: start, related: rule.related, sampleNegatives: rule.sampleNegatives });
        negatives += masks.negativesPerAnchor * size;
        const cos = tf.matMul(uc, uT) as tf.Tensor2D;
        const logits = maskedLogits(cos, masks.excluded, temperature);
        const lse = rowLogSumExp(logits);
        const weights = positiveWeights(masks.positive);
        const lossSum = tf.sum(crossEntropyGivenLse(lse, logits, weights)) as tf.Scalar;
        // dL/dcos for these anchor rows: (softmax − W)/(2N τ).
        const g = tf.div(tf.sub(tf.exp(tf.sub(logits, lse)), weights), rows * temperature);
        const rowGrad = tf.matMul(g, u) as tf.Tensor2D;
        const nextColumnGrad = tf.add(columnGrad, tf.matMul(tf.transpose(g), uc)) as tf.Tensor2D;
        return [rowGrad, nextColumnGrad, lossSum, contrastiveStatSums(cos, masks.positive, masks.negative)] as const;
      });
      columnGrad.dispose();
      columnGrad = nextColumnGrad;
      rowGrads.push(rowGrad);
      lossSums.push(lossSum);
      statSums.push(stats);
    }
    const uGrad = tf.add(tf.concat(rowGrads, 0), columnGrad);
    const aboveFloor = tf.cast(tf.greater(squaredNorm, eps * eps), 'float32');
    const radial = tf.mul(u, tf.mul(tf.sum(tf.mul(u, uGrad), 1, true), aboveFloor));
    const dz = tf.mul(tf.sub(uGrad, radial), invNorm) as tf.Tensor2D;
    const [dz1, dz2] = tf.split(dz, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return {
      loss: tf.div(tf.addN(lossSums), rows) as tf.Scalar,
      stats: contrastiveStatMeans(tf.addN(statSums), rows),
      dz1,
      dz2,
    };
  });
  return { ...out, negativesPerAnchor: negatives / rows };
}
