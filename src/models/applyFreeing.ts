/**
 * A functional model's forward pass that disposes each layer's output as soon as every layer
 * reading it has run. TF.js layers does this at inference only; in training (its `training`
 * flag) it keeps every layer's output until the model returns, which for a ResNet holds twice
 * what the gradient tape keeps (the tape saves its own references to what backward reads).
 * Measured on the bench model: bench/README.md, "Training memory".
 *
 * Models it cannot walk this way (a layer called more than once, nested inputs) run through
 * model.apply unchanged.
 */
import * as tf from '@tensorflow/tfjs';

interface LayerNode {
  inputTensors: tf.SymbolicTensor[];
  outputTensors: tf.SymbolicTensor[];
  callArgs?: tf.serialization.ConfigDict;
}

type WalkableLayer = tf.layers.Layer & { inboundNodes: LayerNode[] };

interface Plan {
  /** Each layer with its one node, in an order that computes inputs first. */
  steps: { layer: WalkableLayer; node: LayerNode }[];
  /** How many layers read each tensor (counted down in each forward pass). */
  readers: Map<number, number>;
}

/** The walk of a model, or null if it does not fit (see above). */
function plan(model: tf.LayersModel): Plan | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const known = new Set([model.inputs[0].id]);
  const steps: Plan['steps'] = [];
  const readers = new Map<number, number>();
  for (const layer of model.layers as WalkableLayer[]) {
    if (layer.getClassName() === 'InputLayer') continue;
    if (layer.inboundNodes.length !== 1) return null;
    const node = layer.inboundNodes[0];
    if (!node.inputTensors.every((t) => known.has(t.id))) return null;
    for (const t of node.inputTensors) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
    for (const t of node.outputTensors) known.add(t.id);
    steps.push({ layer, node });
  }
  return known.has(model.outputs[0].id) ? { steps, readers } : null;
}

const plans = new WeakMap<tf.LayersModel, Plan | null>();

export function applyFreeingIntermediates(model: tf.LayersModel, input: tf.Tensor, kwargs: tf.serialization.ConfigDict): tf.Tensor {
  if (!plans.has(model)) plans.set(model, plan(model));
  const walk = plans.get(model);
  if (walk == null) return model.apply(input, kwargs) as tf.Tensor;
  const { steps } = walk;
  const readers = new Map(walk.readers);
  const value = new Map<number, tf.Tensor>([[model.inputs[0].id, input]]);
  const outputId = model.outputs[0].id;
  for (const { layer, node } of steps) {
    const inputs = node.inputTensors.map((t) => value.get(t.id)!);
    const outputs = layer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...node.callArgs, ...kwargs });
    (Array.isArray(outputs) ? outputs : [outputs]).forEach((o, i) => value.set(node.outputTensors[i].id, o as tf.Tensor));
    for (const t of node.inputTensors) {
      const left = readers.get(t.id)! - 1;
      readers.set(t.id, left);
      if (left === 0 && t.id !== model.inputs[0].id && t.id !== outputId) {
        value.get(t.id)!.dispose();
        value.delete(t.id);
      }
    }
  }
  return value.get(outputId)!;
}
