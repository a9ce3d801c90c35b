import * as tf from '@tensorflow/tfjs';

/** NT-Xent of a batch, its gradient with respect to the projections, and the logged statistics. */
export interface NtXentZGradient {
  loss: tf.Scalar;
  /** [top1, positiveCosine, negativeCosine], as ntXentWithStats defines them. */
  stats: tf.Tensor1D;
  dz1: tf.Tensor2D;
  dz2: tf.Tensor2D;
}

/** Similarity rows computed at once: bounds the [rows, 2N] temporaries (~16 MB each). */
const CHUNK_ELEMENTS = 1 << 22;

/**
 * The loss of ntXentWithStats (src/losses/ntXent.ts) and dL/dz in closed form, computed over
 * blocks of anchor rows so memory is O(rows × 2N), not O(4N²): at 2N = 8192 views the full
 * similarity matrix alone is 268 MB and autodiff keeps a dozen of them, past the wasm heap.
 *
 * With u = z/‖z‖, logits = u uᵀ/τ (self excluded), P = row softmax and p(i) the positive:
 * dL/dcos = G/τ, G_ik = (P_ik − [k = p(i)]) / 2N;  dL/du = (G + Gᵀ) u / τ;
 * dL/dz = (dL/du − u (u·dL/du)) / ‖z‖ (the norm floor of l2Normalize makes it dL/du / ε below ε).
 */
export function ntXentZGradient(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number, chunkElements = CHUNK_ELEMENTS): NtXentZGradient {
  if (z1.shape[0] !== z2.shape[0] || z1.shape[1] !== z2.shape[1]) {
    throw new Error(`ntXentZGradient: views must have the same shape, got [${z1.shape}] and [${z2.shape}]`);
  }
  if (!(temperature > 0)) throw new Error(`ntXentZGradient: temperature must be > 0, got ${temperature}`);
  const n = z1.shape[0];
  const rows = 2 * n;
  const chunk = Math.max(1, Math.floor(chunkElements / rows));
  return tf.tidy(() => {
    const eps = 1e-12;
    const z = tf.concat([z1, z2], 0);
    const squaredNorm = tf.sum(tf.square(z), 1, true);
    const invNorm = tf.rsqrt(tf.maximum(squaredNorm, eps * eps));
    const u = tf.mul(z, invNorm) as tf.Tensor2D;
    // Explicit transpose: matMul with a transposed operand is far slower on wasm.
    const uT = tf.transpose(u);

    const sums: tf.Tensor1D[] = [];
    const rowGrads: tf.Tensor2D[] = [];
    let columnGrad: tf.Tensor2D = tf.zerosLike(u);
    for (let start = 0; start < rows; start += chunk) {
      const size = Math.min(chunk, rows - start);
      const [rowGrad, nextColumnGrad, chunkSums] = tf.tidy(() => {
        const uc = tf.slice(u, [start, 0], [size, -1]);
        const anchors = tf.range(start, start + size, 1, 'int32') as tf.Tensor1D;
        const positives = tf.tensor1d(Int32Array.from({ length: size }, (_, i) => (start + i + n) % rows), 'int32');
        const selfMask = tf.oneHot(anchors, rows).toFloat();
        const positiveMask = tf.oneHot(positives, rows).toFloat();
        const cos = tf.matMul(uc, uT);
        const masked = tf.sub(tf.div(cos, temperature), tf.mul(selfMask, 1e9));
        const logDenominator = tf.logSumExp(masked, 1, true);
        const positiveCos = tf.sum(tf.mul(cos, positiveMask), 1, true);
        const lossSum = tf.sum(tf.sub(logDenominator, tf.div(positiveCos, temperature)));
        // dL/dcos for these anchor rows.
        const g = tf.div(tf.sub(tf.exp(tf.sub(masked, logDenominator)), positiveMask), rows * temperature);
        const rowGrad = tf.matMul(g, u) as tf.Tensor2D;
        const nextColumnGrad = tf.add(columnGrad, tf.matMul(tf.transpose(g), uc)) as tf.Tensor2D;
        // Statistics: top-1 with self pushed below any cosine; cosine sums over positives and negatives.
        const top1Count = tf.sum(tf.cast(tf.equal(tf.argMax(tf.sub(cos, tf.mul(selfMask, 4)), 1), positives), 'float32'));
        const positiveSum = tf.sum(positiveCos);
        const negativeSum = tf.sub(tf.sub(tf.sum(cos), tf.sum(tf.mul(cos, selfMask))), positiveSum);
        return [rowGrad, nextColumnGrad, tf.stack([lossSum, top1Count, positiveSum, negativeSum]) as tf.Tensor1D] as const;
      });
      columnGrad.dispose();
      columnGrad = nextColumnGrad;
      rowGrads.push(rowGrad);
      sums.push(chunkSums);
    }
    const uGrad = tf.add(tf.concat(rowGrads, 0), columnGrad);
    const aboveFloor = tf.cast(tf.greater(squaredNorm, eps * eps), 'float32');
    const radial = tf.mul(u, tf.mul(tf.sum(tf.mul(u, uGrad), 1, true), aboveFloor));
    const dz = tf.mul(tf.sub(uGrad, radial), invNorm) as tf.Tensor2D;
    const total = tf.addN(sums);
    const scale = tf.tensor1d([1 / rows, 1 / rows, 1 / rows, 1 / (rows * (rows - 2))]);
    const means = tf.mul(total, scale);
    const [dz1, dz2] = tf.split(dz, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return {
      loss: tf.reshape(tf.slice(means, 0, 1), []) as tf.Scalar,
      stats: tf.slice(means, 1, 3) as tf.Tensor1D,
      dz1,
      dz2,
    };
  });
}
