import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { randomValues, relativeError, useWasm } from './helpers.js';

beforeAll(useWasm);

/** conv → BN → relu → maxPool → conv(stride 2) → BN → relu → globalAvgPool → dense: every ResNet op. */
function tinyModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 6, kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'same' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4 }),
    ],
  });
}

function lossOf(model: tf.Sequential, x: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const logits = model.apply(x, { training: true }) as tf.Tensor;
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

async function gradients(model: tf.Sequential, x: tf.Tensor, labels: tf.Tensor): Promise<Float32Array[]> {
  const { value, grads } = tf.variableGrads(() => lossOf(model, x, labels));
  const names = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
  const out = await Promise.all(names.map((n) => grads[n].data() as Promise<Float32Array>));
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

describe('a tiny tfjs-layers CNN on wasm', () => {
  const rng = Rng.derive(3, 0);
  const xValues = randomValues(rng, 6 * 9 * 9 * 3);
  const labelValues = Array.from({ length: 6 }, (_, i) => i % 4);

  it('has the same gradients as on the cpu backend', async () => {
    await tf.setBackend('wasm');
    const model = tinyModel();
    const x = tf.tensor4d(xValues, [6, 9, 9, 3]);
    const labels = tf.oneHot(labelValues, 4);
    let onWasm: Float32Array[] = [];
    const profile = await tf.profile(async () => {
      onWasm = await gradients(model, x, labels);
    });
    // The backward pass went through this project's kernels (wasm has no filter kernel of its own).
    expect(profile.kernelNames).toEqual(expect.arrayContaining(['Conv2DBackpropFilter', 'Conv2DBackpropInput']));
    expect(profile.kernelNames).not.toContain('Tile');
    await tf.setBackend('cpu');
    const onCpu = await gradients(model, x, labels);
    expect(onWasm.length).toBe(model.trainableWeights.length);
    for (let i = 0; i < onCpu.length; i++) {
      expect(relativeError(onWasm[i], onCpu[i]), model.trainableWeights[i].name).toBeLessThan(1e-4);
    }
    tf.dispose([x, labels]);
    model.dispose();
  });

  it('trains: the loss decreases over a few steps, without leaking tensors', async () => {
    await tf.setBackend('wasm');
    const model = tinyModel();
    const x = tf.tensor4d(xValues, [6, 9, 9, 3]);
    const labels = tf.oneHot(labelValues, 4);
    const optimizer = tf.train.sgd(0.5);
    const losses: number[] = [];
    let tensorsAfterFirstStep = 0;
    for (let step = 0; step < 8; step++) {
      const loss = optimizer.minimize(() => lossOf(model, x, labels), true)!;
      losses.push((await loss.data())[0]);
      loss.dispose();
      if (step === 0) tensorsAfterFirstStep = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    tf.dispose([x, labels]);
    optimizer.dispose();
    model.dispose();
  });
});
