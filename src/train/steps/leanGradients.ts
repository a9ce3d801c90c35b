/**
 * Gradients of a scalar with respect to variables, as tf.variableGrads computes them, but
 * freeing memory during the backward pass: each tape node's saved tensors and the gradients
 * of its outputs are disposed as soon as the node has been differentiated, where TF.js keeps
 * every saved activation and every intermediate gradient until the whole backward pass ends.
 * The peak goes from (activations + all their gradients) to about the activations alone
 * (bench/README.md, "Training memory").
 *
 * It drives TF.js's engine the way engine.gradients does (tape, forward tidy, the nodes between
 * the variables and the loss);
 * nested gradients (a tape already recording) take tf.variableGrads unchanged.
 */
import * as tf from '@tensorflow/tfjs';

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  tidy<T extends tf.TensorContainer>(name: string, f: () => T): T;
}

/** A node of TF.js's gradient tape (one kernel call while the tape recorded). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

export function leanVariableGrads(f: () => tf.Scalar, varList: tf.Variable[]): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const engine = tf.engine() as unknown as EngineInternals;
  const xs = varList.filter((v) => v.trainable);
  if (engine.state.gradientDepth > 0 || xs.length === 0) return tf.variableGrads(f, varList);
  const y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  const tape = engine.state.activeTape ?? [];
  try {
    if (!(y instanceof tf.Tensor) || y.rank !== 0) throw new Error('leanVariableGrads: f must return a scalar tensor');
    const result = engine.tidy('backward', () => {
      const grads = backpropagate(y, pathsFromXsToY(tape, xs, y), new Set(xs.map((x) => x.id)));
      const named: tf.NamedTensorMap = {};
      xs.forEach((v) => {
        const g = grads.get(v.id);
        if (g != null) named[v.name] = g;
      });
      return { value: y, grads: named };
    });
    return result as { value: tf.Scalar; grads: tf.NamedTensorMap };
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
}

/**
 * The nodes on a path from some x to y, in tape order, each with only its inputs that depend on
 * an x (the others get no gradient).
 */
function pathsFromXsToY(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    if (Object.values(node.inputs).some((t) => fromX.has(t.id))) {
      nodesFromX.add(node.id);
      for (const o of node.outputs) fromX.add(o.id);
    }
  }
  const toY = new Set([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      nodesToY.add(node.id);
      for (const t of Object.values(node.inputs)) toY.add(t.id);
    }
  }
  return tape
    .filter((node) => nodesFromX.has(node.id) && nodesToY.has(node.id))
    .map((node) => ({ ...node, inputs: Object.fromEntries(Object.entries(node.inputs).filter(([, t]) => fromX.has(t.id))) }));
}

/** Walks the tape backward; returns the gradient of every requested tensor (ids in `keep`). */
function backpropagate(y: tf.Tensor, tape: TapeNode[], keep: Set<number>): Map<number, tf.Tensor> {
  const gradOf = new Map<number, tf.Tensor>([[y.id, tf.onesLike(y)]]);
  // One tensor object can be the gradient of several tensors (a gradient function may hand dy
  // on as it is): dispose it only when no entry refers to it any more.
  const refs = new Map<tf.Tensor, number>([[gradOf.get(y.id)!, 1]]);
  const set = (id: number, g: tf.Tensor) => {
    gradOf.set(id, g);
    refs.set(g, (refs.get(g) ?? 0) + 1);
  };
  const drop = (id: number) => {
    const g = gradOf.get(id);
    if (g === undefined) return;
    gradOf.delete(id);
    const left = refs.get(g)! - 1;
    if (left > 0) {
      refs.set(g, left);
    } else {
      refs.delete(g);
      g.dispose();
    }
  };
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
    const dys = node.outputs.map((o) => gradOf.get(o.id) ?? null) as tf.Tensor[];
    const inputGradients = node.gradient(dys);
    for (const [name, x] of Object.entries(node.inputs)) {
      if (!(name in inputGradients)) throw new Error(`Cannot backprop through input ${name} of ${node.kernelName}.`);
      const dx = tf.tidy(() => inputGradients[name]());
      if (dx.dtype !== 'float32') throw new Error(`The gradient of input ${name} of ${node.kernelName} must be float32, got ${dx.dtype}`);
      if (!tf.util.arraysEqual(dx.shape, x.shape)) {
        throw new Error(`The gradient of input ${name} of ${node.kernelName} has shape ${dx.shape}, its input ${x.shape}`);
      }
      const previous = gradOf.get(x.id);
      if (previous === undefined) {
        set(x.id, dx);
      } else {
        const sum = tf.add(previous, dx);
        drop(x.id);
        if (!refs.has(dx)) dx.dispose();
        set(x.id, sum);
      }
    }
    // Nothing earlier on the tape reads this node's output gradients or its saved tensors.
    for (const o of node.outputs) if (!keep.has(o.id)) drop(o.id);
    for (const t of node.saved ?? []) t.dispose();
  }
  return gradOf;
}
