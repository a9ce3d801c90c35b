import * as tf from '@tensorflow/tfjs';
import { cholesky, choleskySolve } from './cholesky.js';
import type { Features } from './features.js';
import type { ValueAndGradient } from './lbfgs.js';

/**
 * The linear probe's training objective on fixed features X (n × d) and labels y:
 *
 *   L(W, b) = (1/n) Σ_i [ logsumexp(x_i W + b) − (x_i W + b)_{y_i} ] + (λ/2) ‖W‖²
 *
 * (mean softmax cross-entropy, L2 on W only, so λ does not depend on n). Parameters are one
 * flat vector: W row-major (d × C), then b (C). The gradient is written out by hand
 * (∂/∂logits = (softmax − onehot)/n) so one evaluation is three matmuls and no autodiff tape.
 */
export class SoftmaxObjective {
  readonly n: number;
  readonly dim: number;
  readonly numClasses: number;
  private readonly x: tf.Tensor2D;
  /** Xᵀ kept explicitly: a matmul with a transposed input is ~10× slower on wasm. */
  private readonly xT: tf.Tensor2D;
  private readonly oneHot: tf.Tensor2D;
  private gramCache?: Float64Array;

  constructor(features: Features, labels: Int32Array, numClasses: number) {
    this.n = features.n;
    this.dim = features.dim;
    this.numClasses = numClasses;
    this.x = tf.tensor2d(features.data, [features.n, features.dim]);
    this.xT = tf.transpose(this.x);
    this.oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D);
  }

  get parameterCount(): number {
    return this.dim * this.numClasses + this.numClasses;
  }

  evaluate(params: Float64Array, lambda: number): ValueAndGradient {
    const { n, dim, numClasses: c } = this;
    if (params.length !== this.parameterCount) {
      throw new Error(`expected ${this.parameterCount} parameters, got ${params.length}`);
    }
    const wCount = dim * c;
    const [ce, gradW, gradB] = tf.tidy(() => {
      const w = tf.tensor2d(Float32Array.from(params.subarray(0, wCount)), [dim, c]);
      const b = tf.tensor1d(Float32Array.from(params.subarray(wCount)));
      const logits = tf.add(tf.matMul(this.x, w), b);
      const lse = tf.logSumExp(logits, 1);
      const picked = tf.sum(tf.mul(logits, this.oneHot), 1);
      const meanCe = tf.mean(tf.sub(lse, picked));
      // softmax via the logsumexp already computed: exp(logits − lse)
      const probs = tf.exp(tf.sub(logits, tf.expandDims(lse, 1)));
      const dLogits = tf.div(tf.sub(probs, this.oneHot), n);
      return [meanCe, tf.matMul(this.xT, dLogits), tf.sum(dLogits, 0)];
    });
    const ceValue = ce.dataSync()[0];
    const gw = gradW.dataSync();
    const gb = gradB.dataSync();
    tf.dispose([ce, gradW, gradB]);

    // The L2 term in float64 from the parameters themselves.
    const gradient = new Float64Array(params.length);
    let sq = 0;
    for (let i = 0; i < wCount; i++) {
      sq += params[i] * params[i];
      gradient[i] = gw[i] + lambda * params[i];
    }
    for (let j = 0; j < c; j++) gradient[wCount + j] = gb[j];
    return { value: ceValue + 0.5 * lambda * sq, gradient };
  }

  /**
   * H₀ for L-BFGS from Böhning's bound on this objective's Hessian: softmax curvature is at most
   * ½(I − 11ᵀ/C), so ∇²L ≤ ½(XᵀX/n) ⊗ I + λI on W, and ½ on b (X is centred by the
   * standardiser). Returns v ↦ (½XᵀX/n + λI)⁻¹ on each class's weight column and 2v on b: one
   * Cholesky factor per λ (d³/3), then two triangular solves per iteration. Raw pixels are highly
   * correlated (XᵀX badly conditioned), which is what makes plain L-BFGS take hundreds of
   * iterations there; with this H₀ it took about half as many on raw Fashion-MNIST pixels (bench/probeSpeed.ts). Undefined when the factor cannot be formed.
   */
  preconditioner(lambda: number): ((v: Float64Array) => Float64Array) | undefined {
    const { dim, numClasses: c } = this;
    const gram = this.gram();
    const a = new Float64Array(dim * dim);
    let trace = 0;
    for (let j = 0; j < dim; j++) trace += gram[j * dim + j];
    // A floor on the diagonal keeps the factor defined for λ = 0 or rank-deficient features.
    const ridge = lambda + 1e-6 * Math.max(trace / dim, 1e-12);
    for (let i = 0; i < a.length; i++) a[i] = 0.5 * gram[i];
    for (let j = 0; j < dim; j++) a[j * dim + j] += ridge;
    let l: Float64Array;
    try {
      l = cholesky(a, dim);
    } catch {
      return undefined;
    }
    const wCount = dim * c;
    return (v) => {
      const out = Float64Array.from(v);
      choleskySolve(l, dim, out.subarray(0, wCount), c);
      for (let j = wCount; j < out.length; j++) out[j] *= 2;
      return out;
    };
  }

  /** XᵀX / n (d × d, float64), computed once. */
  private gram(): Float64Array {
    if (!this.gramCache) {
      const g = tf.tidy(() => tf.div(tf.matMul(this.xT, this.x), this.n));
      this.gramCache = Float64Array.from(g.dataSync());
      g.dispose();
    }
    return this.gramCache;
  }

  dispose(): void {
    tf.dispose([this.x, this.xT, this.oneHot]);
  }
}
