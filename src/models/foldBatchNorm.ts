/**
 * An inference-only copy of a layers model with each BatchNormalization folded into the
 * convolution (or dense layer) before it: in inference BN is a per-channel affine map,
 *   γ·(Wx + b − μ)/√(σ² + ε) + β  =  (W·s)x + (β + (b − μ)·s),  s = γ/√(σ² + ε),
 * so conv → BN (→ ReLU) becomes one convolution with a bias (and a fused ReLU), and a residual
 * block's conv → BN → add → ReLU one convolution with the shortcut added before its ReLU.
 * Features come out the same up to float rounding, with one pass over the activations per
 * layer instead of four. Training, checkpoints and exports keep the original model; this copy
 * is what frozen features (probe, embed, explore, online evaluation) run.
 */
import * as tf from '@tensorflow/tfjs';
import { conv2dResidual, conv2dResidualSupported, type Conv2DResidualAttrs } from '../backend/onednn/index.js';

type Layer = tf.layers.Layer;
type Sym = tf.SymbolicTensor;
type Config = tf.serialization.ConfigDict;

/** The fields of tfjs-layers' graph this walk reads (public at runtime, not in the typings). */
interface GraphNode {
  inputTensors: Sym[];
}
interface GraphLayer {
  inboundNodes: GraphNode[];
}

/** conv/dense → BN, found where the affine layer's output feeds nothing but the BN. */
interface Chain {
  affine: Layer;
  bn: Layer;
  input: Sym;
  output: Sym;
}

function nodeOf(t: Sym): GraphNode {
  return (t.sourceLayer as unknown as GraphLayer).inboundNodes[t.nodeIndex];
}

function configOf(layer: Layer): Config {
  return layer.getConfig();
}

const pair = (v: unknown): [number, number] => (Array.isArray(v) ? [Number(v[0]), Number(v[v.length > 1 ? 1 : 0])] : [Number(v), Number(v)]);

/** A stock ReLU (no cap, no leak) as a ReLU or an Activation layer. */
function isRelu(layer: Layer): boolean {
  const c = configOf(layer);
  if (layer.getClassName() === 'ReLU') return c.maxValue == null;
  return layer.getClassName() === 'Activation' && c.activation === 'relu';
}

/** A 2-D NHWC convolution or a dense layer, without an activation of its own. */
function isFoldableAffine(layer: Layer): boolean {
  const c = configOf(layer);
  if (c.activation != null && c.activation !== 'linear') return false;
  if (layer.getClassName() === 'Dense') return true;
  return layer.getClassName() === 'Conv2D' && (c.dataFormat ?? 'channelsLast') === 'channelsLast';
}

/** Per-channel scale s and shift of BN in inference: BN(v) = v·s + shift. */
function bnAffine(bn: Layer, channels: number): { scale: Float64Array; shift: Float64Array } {
  const c = configOf(bn);
  const byName = new Map(bn.weights.map((w, i) => [w.originalName.split('/').pop()!, bn.getWeights()[i]]));
  const values = (name: string) => byName.get(name)?.dataSync();
  const gamma = c.scale === false ? undefined : values('gamma');
  const beta = c.center === false ? undefined : values('beta');
  const mean = values('moving_mean');
  const variance = values('moving_variance');
  if (mean === undefined || variance === undefined || mean.length !== channels || variance.length !== channels) {
    throw new Error(`foldBatchNorm: ${bn.name} has no moving statistics of ${channels} channels`);
  }
  const epsilon = Number(c.epsilon);
  const scale = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let j = 0; j < channels; j++) {
    scale[j] = (gamma ? gamma[j] : 1) / Math.sqrt(variance[j] + epsilon);
    shift[j] = (beta ? beta[j] : 0) - mean[j] * scale[j];
  }
  return { scale, shift };
}

/** The folded kernel and bias of a chain, as new tensors (the caller disposes them). */
function foldedWeights(chain: Chain): { kernel: tf.Tensor; bias: tf.Tensor1D } {
  const [kernelOld, biasOld] = chain.affine.getWeights();
  const channels = kernelOld.shape[kernelOld.shape.length - 1];
  const { scale, shift } = bnAffine(chain.bn, channels);
  const w = kernelOld.dataSync();
  const kernel = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) kernel[i] = w[i] * scale[i % channels];
  const b = biasOld?.dataSync();
  const bias = new Float32Array(channels);
  for (let j = 0; j < channels; j++) bias[j] = shift[j] + (b ? b[j] : 0) * scale[j];
  return { kernel: tf.tensor(kernel, kernelOld.shape), bias: tf.tensor1d(bias) };
}

/**
 * act(conv(x) + bias + residual) as one layer: on onednn one kernel (the residual is a
 * post-op of the convolution), elsewhere the composed ops. Inference only.
 */
export class ResidualConv2D extends tf.layers.Layer {
  static readonly className = 'SimclrResidualConv2D';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly args: { filters: number; kernelSize: [number, number]; conv: Conv2DResidualAttrs; name: string }) {
    super({ name: args.name, trainable: false });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape] = inputShape as tf.Shape[];
    const ci = xShape[3] as number;
    this.kernel = this.addWeight('kernel', [...this.args.kernelSize, ci, this.args.filters], 'float32', tf.initializers.zeros(), undefined, false);
    this.bias = this.addWeight('bias', [this.args.filters], 'float32', tf.initializers.zeros(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [x, residual] = inputs as [tf.Tensor4D, tf.Tensor4D];
      const filter = this.kernel!.read() as tf.Tensor4D;
      const bias = this.bias!.read() as tf.Tensor1D;
      const { conv } = this.args;
      if (conv2dResidualSupported(x, filter, bias, residual, conv)) return conv2dResidual(x, filter, bias, residual, conv);
      const y = tf.add(tf.fused.conv2d({ x, filter, bias, strides: conv.strides, pad: conv.pad, dilations: conv.dilations }), residual);
      return conv.activation === 'relu' ? tf.relu(y) : y;
    });
  }

  override getConfig(): Config {
    return { ...super.getConfig(), filters: this.args.filters, kernelSize: this.args.kernelSize, ...this.args.conv };
  }
}

/**
 * The inference-only equivalent of `model` with BatchNormalization folded away where it
 * follows a convolution or dense layer that feeds nothing else. Every other layer is copied
 * (config and weights), so the copy is independent: dispose it on its own. Nested models are
 * folded too.
 */
export function foldBatchNorm(model: tf.LayersModel): tf.LayersModel {
  // How many times each symbolic tensor is consumed (model outputs count as a use).
  const uses = new Map<number, number>();
  const seenNodes = new Set<GraphNode>();
  const count = (t: Sym) => {
    const node = nodeOf(t);
    if (node === undefined || seenNodes.has(node)) return;
    seenNodes.add(node);
    for (const input of node.inputTensors) {
      uses.set(input.id, (uses.get(input.id) ?? 0) + 1);
      count(input);
    }
  };
  for (const out of model.outputs) {
    uses.set(out.id, (uses.get(out.id) ?? 0) + 1);
    count(out);
  }
  const onlyUse = (t: Sym) => uses.get(t.id) === 1;

  /** affine → BN ending at `t` (BN's output), when the affine output feeds only the BN. */
  const chainAt = (t: Sym): Chain | undefined => {
    const bn = t.sourceLayer;
    if (bn.getClassName() !== 'BatchNormalization') return undefined;
    const [v] = nodeOf(t).inputTensors;
    const axis = Number(configOf(bn).axis);
    if (nodeOf(t).inputTensors.length !== 1 || (axis !== -1 && axis !== v.shape.length - 1)) return undefined;
    if (!onlyUse(v) || !isFoldableAffine(v.sourceLayer)) return undefined;
    const inputs = nodeOf(v).inputTensors;
    return inputs.length === 1 ? { affine: v.sourceLayer, bn, input: inputs[0], output: t } : undefined;
  };

  const created: { layer: Layer; weights: tf.Tensor[] }[] = [];
  const mapped = new Map<number, Sym>();
  const inputs = model.inputs.map((t) => {
    const input = tf.input({ batchShape: t.shape, dtype: t.dtype, name: t.sourceLayer.name });
    mapped.set(t.id, input);
    return input;
  });

  const foldChain = (chain: Chain, relu: boolean): Sym => {
    const c = configOf(chain.affine);
    const activation = relu ? 'relu' : 'linear';
    const layer =
      chain.affine.getClassName() === 'Dense'
        ? tf.layers.dense({ units: Number(c.units), useBias: true, activation, kernelInitializer: 'zeros', name: chain.affine.name })
        : tf.layers.conv2d({
            filters: Number(c.filters), kernelSize: pair(c.kernelSize), strides: pair(c.strides), padding: c.padding as 'same' | 'valid',
            dilationRate: pair(c.dilationRate ?? 1), dataFormat: 'channelsLast', useBias: true, activation, kernelInitializer: 'zeros', name: chain.affine.name,
          });
    const out = layer.apply(map(chain.input)) as Sym;
    const { kernel, bias } = foldedWeights(chain);
    created.push({ layer, weights: [kernel, bias] });
    return out;
  };

  /** act(chain + other) as one ResidualConv2D, when the chain is a convolution. */
  const foldResidual = (chain: Chain, other: Sym, relu: boolean): Sym | undefined => {
    if (chain.affine.getClassName() !== 'Conv2D' || chain.output.shape.join() !== other.shape.join()) return undefined;
    const c = configOf(chain.affine);
    const padding = c.padding;
    if (padding !== 'same' && padding !== 'valid') return undefined;
    const layer = new ResidualConv2D({
      filters: Number(c.filters),
      kernelSize: pair(c.kernelSize),
      conv: { strides: pair(c.strides), pad: padding, dilations: pair(c.dilationRate ?? 1), activation: relu ? 'relu' : 'linear' },
      name: chain.affine.name,
    });
    const out = layer.apply([map(chain.input), map(other)]) as Sym;
    const { kernel, bias } = foldedWeights(chain);
    created.push({ layer, weights: [kernel, bias] });
    return out;
  };

  /** An add of two tensors, one of them a foldable convolution chain used only by the add. */
  const residualAt = (t: Sym, relu: boolean): Sym | undefined => {
    if (t.sourceLayer.getClassName() !== 'Add') return undefined;
    const operands = nodeOf(t).inputTensors;
    if (operands.length !== 2) return undefined;
    for (const [k, operand] of operands.entries()) {
      const chain = onlyUse(operand) ? chainAt(operand) : undefined;
      const out = chain && foldResidual(chain, operands[1 - k], relu);
      if (out) return out;
    }
    return undefined;
  };

  const copy = (t: Sym): Sym => {
    const layer = t.sourceLayer;
    const args = nodeOf(t).inputTensors.map(map);
    let outputs: Sym | Sym[];
    if (layer instanceof tf.LayersModel) {
      const folded = foldBatchNorm(layer);
      outputs = folded.apply(args.length === 1 ? args[0] : args) as Sym | Sym[];
    } else {
      const ctor = layer.constructor as unknown as { fromConfig(cls: unknown, config: Config): Layer };
      const fresh = ctor.fromConfig(layer.constructor, configOf(layer));
      outputs = fresh.apply(args.length === 1 ? args[0] : args) as Sym | Sym[];
      fresh.setWeights(layer.getWeights());
    }
    return Array.isArray(outputs) ? outputs[t.tensorIndex] : outputs;
  };

  function map(t: Sym): Sym {
    const done = mapped.get(t.id);
    if (done) return done;
    const layer = t.sourceLayer;
    let out: Sym | undefined;
    if (isRelu(layer) && nodeOf(t).inputTensors.length === 1) {
      const [u] = nodeOf(t).inputTensors;
      if (onlyUse(u)) {
        const chain = chainAt(u);
        out = chain ? foldChain(chain, true) : residualAt(u, true);
      }
    }
    if (out === undefined) {
      const chain = chainAt(t);
      out = chain ? foldChain(chain, false) : residualAt(t, false);
    }
    out ??= copy(t);
    mapped.set(t.id, out);
    return out;
  }

  const outputs = model.outputs.map(map);
  const folded = tf.model({ inputs, outputs, name: `${model.name}_folded` });
  for (const { layer, weights } of created) {
    layer.setWeights(weights);
    tf.dispose(weights);
  }
  return folded;
}
