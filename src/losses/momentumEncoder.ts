import * as tf from '@tensorflow/tfjs';

/**
 * MoCo's momentum update of the key encoder, in place: θ_k ← m·θ_k + (1 − m)·θ_q, m = 0.999.
 * `target[i]` is updated from `source[i]`; all shapes are checked before anything is written.
 * Make the key encoder's variables non-trainable so optimizers and variableGrads skip them.
 */
export function emaUpdate(target: readonly tf.Variable[], source: readonly tf.Tensor[], m = 0.999): void {
  if (!(m >= 0 && m <= 1)) throw new Error(`emaUpdate: momentum must be in [0, 1], got ${m}`);
  if (target.length !== source.length) {
    throw new Error(`emaUpdate: ${target.length} target variables but ${source.length} sources`);
  }
  target.forEach((t, i) => {
    if (!tf.util.arraysEqual(t.shape, source[i].shape)) {
      throw new Error(`emaUpdate: shape mismatch at ${i}: [${t.shape}] vs [${source[i].shape}]`);
    }
  });
  tf.tidy(() => {
    target.forEach((t, i) => t.assign(t.mul(m).add(source[i].mul(1 - m))));
  });
}
