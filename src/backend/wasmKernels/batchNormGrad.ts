/**
 * FusedBatchNorm gradient without `tile` (the stock one tiles 1/σ to the input's full shape,
 * the most expensive kernel on wasm). With σ⁻¹ = rsqrt(var + ε), γ the scale, xm = x − mean,
 * and per-channel sums S₁ = Σ dy, S₂ = Σ dy·xm over every axis the statistics broadcast along:
 *
 *   dx = dy · γσ⁻¹ (broadcast)   dmean = −γσ⁻¹ S₁   dvar = −½ γσ⁻³ S₂   dγ = σ⁻¹ S₂   dβ = S₁
 *
 * Per-channel sums are `sum` over the leading axes, which fastPaths.ts makes one pass on wasm.
 */
import * as tf from '@tensorflow/tfjs';

/** Σ of t over the axes along which `shape` broadcasts to t, reshaped to `shape`. */
function sumToShape(t: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, t.shape);
  return axes.length > 0 ? tf.sum(t, axes).reshape(shape) : t.reshape(shape);
}

export const fusedBatchNormGradConfig: tf.GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy, saved, attrs) => {
    const grad = dy as tf.Tensor;
    const [x, mean, variance, scale] = saved;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    // Only per-channel tensors outlive this tidy: xm and dy·xm are full-size and short-lived.
    const [invStd, gammaInvStd, s1, s2] = tf.tidy(() => {
      const inv = tf.rsqrt(tf.add(variance, varianceEpsilon));
      const xm = tf.sub(x, mean);
      return [inv, tf.mul(scale, inv), sumToShape(grad, mean.shape), sumToShape(tf.mul(grad, xm), mean.shape)];
    });
    return {
      x: () => tf.mul(grad, gammaInvStd),
      mean: () => tf.neg(tf.mul(gammaInvStd, s1)),
      variance: () => tf.mul(tf.mul(gammaInvStd, tf.square(invStd)), tf.mul(s2, -0.5)),
      scale: () => tf.mul(invStd, s2),
      // A clone, so the engine disposing one input's gradient never frees another's operand.
      offset: () => s1.clone(),
    };
  },
};
