import * as tf from '@tensorflow/tfjs';

/**
 * The project's optimizers update named variables from named gradients at a given learning
 * rate, and keep their state as named tensors so checkpoints save and restore it exactly.
 */
export interface Optimizer {
  readonly name: string;
  applyGradients(grads: tf.NamedTensorMap, variables: Record<string, tf.Variable>, lr: number): void;
  /** Slot tensors keyed `<slot>/<variable name>` (owned by the optimizer) and plain scalars. */
  getState(): OptimizerState;
  setState(state: OptimizerState): void;
  dispose(): void;
}

export interface OptimizerState {
  tensors: tf.NamedTensorMap;
  scalars: Record<string, number>;
}

/**
 * SimCLR excludes BatchNorm parameters and biases from weight decay and from LARS's
 * trust-ratio adaptation. tfjs-layers names them `.../gamma`, `.../beta`, `.../bias`.
 */
export function isExcludedFromDecay(variableName: string): boolean {
  return /(^|\/)(gamma|beta|bias)(_\d+)?$/.test(variableName) || /batch_?norm|(^|\/)bn_|proj_bn/.test(variableName);
}

/** Slot variables created lazily, one per (slot, variable), disposed with the optimizer. */
export class SlotStore {
  private slots = new Map<string, tf.Variable>();

  get(slot: string, variable: tf.Variable, name: string): tf.Variable {
    const key = `${slot}/${name}`;
    let v = this.slots.get(key);
    if (!v) {
      // The variable takes its own reference to the data: drop the initial value's.
      const zeros = tf.zerosLike(variable);
      v = tf.variable(zeros, false);
      zeros.dispose();
      this.slots.set(key, v);
    }
    return v;
  }

  entries(): tf.NamedTensorMap {
    return Object.fromEntries(this.slots);
  }

  restore(state: tf.NamedTensorMap, prefix: string[]): void {
    for (const [key, value] of Object.entries(state)) {
      if (!prefix.some((p) => key.startsWith(`${p}/`))) continue;
      const existing = this.slots.get(key);
      if (existing) existing.assign(value);
      else this.slots.set(key, tf.variable(value, false));
    }
  }

  dispose(): void {
    for (const v of this.slots.values()) v.dispose();
    this.slots.clear();
  }
}
