import * as tf from '@tensorflow/tfjs';
import { isExcludedFromDecay, SlotStore, type Optimizer, type OptimizerState } from './optimizer.js';

export interface LarsOptions {
  momentum?: number;
  weightDecay?: number;
  /** Trust coefficient η. */
  eta?: number;
  /** Which variables get neither weight decay nor trust-ratio adaptation. */
  exclude?: (variableName: string) => boolean;
}

/**
 * LARS (You et al. 2017) as SimCLR uses it: g ← g + wd·w; trust ratio η‖w‖/‖g‖ (1 when
 * either norm is 0); v ← m·v + lr·ratio·g; w ← w − v. Excluded variables (BatchNorm, bias)
 * use plain momentum SGD without weight decay.
 */
export class Lars implements Optimizer {
  readonly name = 'lars';
  private readonly momentum: number;
  private readonly weightDecay: number;
  private readonly eta: number;
  private readonly exclude: (name: string) => boolean;
  private readonly slots = new SlotStore();

  constructor({ momentum = 0.9, weightDecay = 1e-6, eta = 0.001, exclude = isExcludedFromDecay }: LarsOptions = {}) {
    this.momentum = momentum;
    this.weightDecay = weightDecay;
    this.eta = eta;
    this.exclude = exclude;
  }

  applyGradients(grads: tf.NamedTensorMap, variables: Record<string, tf.Variable>, lr: number): void {
    for (const [name, grad] of Object.entries(grads)) {
      const w = variables[name];
      const velocity = this.slots.get('momentum', w, name);
      tf.tidy(() => {
        let g: tf.Tensor = grad;
        let scaledLr: tf.Tensor | number = lr;
        if (!this.exclude(name)) {
          g = tf.add(g, tf.mul(w, this.weightDecay));
          const wNorm = tf.norm(w);
          const gNorm = tf.norm(g);
          const ratio = tf.where(
            tf.logicalAnd(tf.greater(wNorm, 0), tf.greater(gNorm, 0)),
            tf.div(tf.mul(wNorm, this.eta), gNorm),
            tf.onesLike(wNorm),
          );
          scaledLr = tf.mul(ratio, lr);
        }
        const next = tf.add(tf.mul(velocity, this.momentum), tf.mul(g, scaledLr));
        velocity.assign(next);
        w.assign(tf.sub(w, next));
      });
    }
  }

  getState(): OptimizerState {
    return { tensors: this.slots.entries(), scalars: {} };
  }

  setState(state: OptimizerState): void {
    this.slots.restore(state.tensors, ['momentum']);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
