import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildResNet } from '../../src/models/resnet.js';
import { leanVariableGrads } from '../../src/train/steps/leanGradients.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Gradients by TF.js's own variableGrads (the reference) and by the lean walk, as plain arrays. */
function bothGrads(f: () => tf.Scalar, vars: tf.Variable[]) {
  const reference = tf.variableGrads(f, vars);
  const want = Object.fromEntries(Object.entries(reference.grads).map(([k, g]) => [k, Array.from(g.dataSync())]));
  const wantValue = reference.value.dataSync()[0];
  tf.dispose([reference.value, ...Object.values(reference.grads)]);
  const before = tf.memory().numTensors;
  const lean = leanVariableGrads(f, vars);
  const got = Object.fromEntries(Object.entries(lean.grads).map(([k, g]) => [k, Array.from(g.dataSync())]));
  const gotValue = lean.value.dataSync()[0];
  tf.dispose([lean.value, ...Object.values(lean.grads)]);
  return { want, got, wantValue, gotValue, leaked: tf.memory().numTensors - before };
}

describe('leanVariableGrads', () => {
  it("equals tf.variableGrads on a ResNet's loss (BatchNorm, residual adds, ReLU, training mode) and leaks nothing", () => {
    const model = buildResNet({ backbone: 'resnet18', width: 0.0625, imageSize: 8, cifarStem: true, seed: 3 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 5);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    // BN moving statistics are updated by each call: compare on the loss, not on them.
    const f = () => tf.tidy(() => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
    const { want, got, wantValue, gotValue, leaked } = bothGrads(f, vars);
    expect(gotValue).toBeCloseTo(wantValue, 6);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const name of Object.keys(want)) {
      want[name].forEach((v, i) => expect(got[name][i]).toBeCloseTo(v, 5));
    }
    expect(leaked).toBe(0);
    x.dispose();
    model.dispose();
  });

  it('handles a tensor used twice, a gradient handed to two inputs, and an unused variable', () => {
    const a = tf.variable(tf.tensor1d([0.5, -1, 2]), true, 'lean_a');
    const b = tf.variable(tf.tensor1d([1.5, 0.25, -0.75]), true, 'lean_b');
    const unused = tf.variable(tf.tensor1d([1]), true, 'lean_unused');
    // passThrough's gradient hands dy itself to both of its inputs (one object, two entries).
    const passThrough = tf.customGrad((...inputs) => {
      const [p, q] = inputs as tf.Tensor[];
      return { value: tf.add(p, q), gradFunc: (dy: tf.Tensor) => [dy, dy] };
    }) as (p: tf.Tensor, q: tf.Tensor) => tf.Tensor;
    const f = () => {
      const h = tf.mul(a, b);
      const s = passThrough(h, tf.relu(h));
      return tf.sum(tf.mul(s, tf.add(s, a))) as tf.Scalar;
    };
    const { want, got, wantValue, gotValue, leaked } = bothGrads(f, [a, b, unused]);
    expect(gotValue).toBeCloseTo(wantValue, 6);
    expect(got).toEqual(want);
    expect(leaked).toBe(0);
    tf.dispose([a, b, unused]);
  });

  it('inside another gradient (a tape already recording) gives what tf.variableGrads gives', () => {
    const w = tf.variable(tf.scalar(1.5), true, 'lean_nested');
    const outer = tf.grad((x: tf.Tensor) => {
      const { value, grads } = leanVariableGrads(() => tf.mul(tf.square(w), x) as tf.Scalar, [w]);
      return tf.add(value, grads[w.name]);
    });
    const g = outer(tf.scalar(2));
    // d/dx (w²x + 2wx) = w² + 2w
    expect(g.dataSync()[0]).toBeCloseTo(1.5 * 1.5 + 3, 5);
    tf.dispose([g, w]);
  });
});
