import * as tf from '@tensorflow/tfjs';
import { isExcludedFromDecay, SlotStore, type Optimizer, type OptimizerState } from './optimizer.js';

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW, Loshchilov & Hutter 2019), skipped for BatchNorm and bias. */
  weightDecay?: number;
  exclude?: (variableName: string) => boolean;
}

/** Adam with bias correction and decoupled weight decay; state saved with checkpoints. */
export class Adam implements Optimizer {
  readonly name = 'adam';
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  private readonly weightDecay: number;
  private readonly exclude: (name: string) => boolean;
  private readonly slots = new SlotStore();
  private t = 0;

  constructor({ beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, weightDecay = 1e-6, exclude = isExcludedFromDecay }: AdamOptions = {}) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
    this.exclude = exclude;
  }

  applyGradients(grads: tf.NamedTensorMap, variables: Record<string, tf.Variable>, lr: number): void {
    this.t += 1;
    const correction1 = 1 - this.beta1 ** this.t;
    const correction2 = 1 - this.beta2 ** this.t;
    for (const [name, grad] of Object.entries(grads)) {
      const w = variables[name];
      const m = this.slots.get('m', w, name);
      const v = this.slots.get('v', w, name);
      tf.tidy(() => {
        const nextM = tf.add(tf.mul(m, this.beta1), tf.mul(grad, 1 - this.beta1));
        const nextV = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(grad), 1 - this.beta2));
        m.assign(nextM);
        v.assign(nextV);
        let update = tf.div(tf.div(nextM, correction1), tf.add(tf.sqrt(tf.div(nextV, correction2)), this.epsilon));
        if (!this.exclude(name) && this.weightDecay > 0) update = tf.add(update, tf.mul(w, this.weightDecay));
        w.assign(tf.sub(w, tf.mul(update, lr)));
      });
    }
  }

  getState(): OptimizerState {
    return { tensors: this.slots.entries(), scalars: { t: this.t } };
  }

  setState(state: OptimizerState): void {
    this.slots.restore(state.tensors, ['m', 'v']);
    this.t = state.scalars.t ?? 0;
  }

  dispose(): void {
    this.slots.dispose();
  }
}
