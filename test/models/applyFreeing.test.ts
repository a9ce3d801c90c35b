import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyFreeingIntermediates } from '../../src/models/applyFreeing.js';
import { buildResNet } from '../../src/models/resnet.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('applyFreeingIntermediates', () => {
  it("gives model.apply's output and gradients in training mode", () => {
    const model = buildResNet({ backbone: 'resnet18', width: 0.0625, imageSize: 8, cifarStem: true, seed: 4 });
    const x = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 6);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const run = (forward: () => tf.Tensor) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(forward())) as tf.Scalar, vars);
      const out = { loss: value.dataSync()[0], grads: Object.values(grads).map((g) => Array.from(g.dataSync())) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    };
    const stock = run(() => model.apply(x, { training: true }) as tf.Tensor);
    const freeing = run(() => applyFreeingIntermediates(model, x, { training: true }));
    expect(freeing.loss).toBeCloseTo(stock.loss, 4);
    stock.grads.forEach((g, i) => g.forEach((v, j) => expect(freeing.grads[i][j]).toBeCloseTo(v, 4)));
    x.dispose();
    model.dispose();
  });

  it('has disposed the outputs no later layer reads by the time the last layer runs (model.apply has not)', () => {
    // A layer that notes how many tensors are alive when it runs.
    class Probe extends tf.layers.Layer {
      static readonly className = 'LiveTensorProbe';
      live = 0;
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        this.live = tf.memory().numTensors;
        return tf.clone(Array.isArray(inputs) ? inputs[0] : inputs);
      }
    }
    const input = tf.input({ shape: [4] });
    let h = input;
    for (let i = 0; i < 6; i++) h = tf.layers.reLU().apply(tf.layers.dense({ units: 4 }).apply(h)) as tf.SymbolicTensor;
    const probe = new Probe({});
    const model = tf.model({ inputs: input, outputs: probe.apply(h) as tf.SymbolicTensor });
    const x = tf.randomNormal([2, 4], 0, 1, 'float32', 7);
    const liveAtProbe = (forward: () => tf.Tensor) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(forward()) as tf.Scalar, model.trainableWeights.map((w) => w.read() as tf.Variable));
      tf.dispose([value, ...Object.values(grads)]);
      return probe.live;
    };
    const stock = liveAtProbe(() => model.apply(x, { training: true }) as tf.Tensor);
    const freeing = liveAtProbe(() => applyFreeingIntermediates(model, x, { training: true }));
    // Twelve layer outputs (dense, relu) ahead of the probe: all alive with model.apply.
    expect(freeing).toBeLessThanOrEqual(stock - 10);
    x.dispose();
    model.dispose();
  });

  it('runs a model whose layer is called twice through model.apply', () => {
    const input = tf.input({ shape: [2] });
    const dense = tf.layers.dense({ units: 2, useBias: false, kernelInitializer: 'ones' });
    const model = tf.model({ inputs: input, outputs: dense.apply(dense.apply(input)) as tf.SymbolicTensor });
    const y = applyFreeingIntermediates(model, tf.tensor2d([[1, 2]]), { training: true });
    expect(Array.from(y.dataSync())).toEqual([6, 6]);
    model.dispose();
  });
});
