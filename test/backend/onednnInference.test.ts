/**
 * The inference path on onednn: the residual convolution kernel (conv + bias + residual, ReLU
 * or not, as one oneDNN primitive) against the cpu backend's composed ops, and a folded encoder
 * on onednn against the unfolded one on cpu. FusedConv2D with bias + ReLU is checked in
 * onednnConv.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { conv2dResidual, conv2dResidualSupported, loadAddon, registerOnednnBackend, type OnednnAddon } from '../../src/backend/onednn/index.js';
import { foldBatchNorm } from '../../src/models/foldBatchNorm.js';
import { buildResNet } from '../../src/models/resnet.js';
import { caseName, convCases, randomValues, relativeError } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

describe.skipIf(!onednnAvailable('onednnInference.test.ts'))('onednn inference kernels', () => {
  beforeAll(() => {
    registerOnednnBackend();
  });

  for (const activation of ['relu', 'linear'] as const) {
    for (const [i, c] of convCases(41, 10).entries()) {
      it(`conv2dResidual (${activation}) matches conv + bias + residual on cpu: ${caseName(c)}`, async () => {
        const rng = Rng.derive(43, i);
        const xShape = [c.n, c.h, c.w, c.ci];
        const wShape = [c.k, c.k, c.ci, c.co];
        const outShape = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], wShape as [number, number, number, number], c.stride, 1, c.pad).outShape;
        const values = [xShape, wShape, [c.co], outShape].map((s) => randomValues(rng, s.reduce((a, b) => a * b, 1)));
        const attrs = { strides: [c.stride, c.stride] as [number, number], pad: c.pad, dilations: [1, 1] as [number, number], activation };
        const make = () => [
          tf.tensor4d(values[0], xShape as [number, number, number, number]),
          tf.tensor4d(values[1], wShape as [number, number, number, number]),
          tf.tensor1d(values[2]),
          tf.tensor4d(values[3], outShape),
        ] as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D, tf.Tensor4D];

        await tf.setBackend('cpu');
        const want = tf.tidy(() => {
          const [x, filter, bias, residual] = make();
          const y = tf.add(tf.conv2d(x, filter, c.stride, c.pad), tf.add(bias, residual));
          return activation === 'relu' ? tf.relu(y) : y;
        });
        const wantValues = want.dataSync();
        want.dispose();

        await tf.setBackend('onednn');
        const before = tf.memory().numTensors;
        const operands = make();
        expect(conv2dResidualSupported(...operands, attrs)).toBe(true);
        const got = conv2dResidual(...operands, attrs);
        expect(got.shape).toEqual(outShape);
        const gotValues = got.dataSync();
        tf.dispose([got, ...operands]);
        expect(tf.memory().numTensors).toBe(before);
        expect(relativeError(gotValues, wantValues)).toBeLessThan(1e-5);
      });
    }
  }

  it('conv2dResidual is not offered for a residual of another shape, another backend, or int32', async () => {
    await tf.setBackend('onednn');
    const attrs = { strides: [1, 1] as [number, number], pad: 'same' as const, dilations: [1, 1] as [number, number], activation: 'relu' as const };
    tf.tidy(() => {
      const x = tf.zeros([1, 4, 4, 2]) as tf.Tensor4D;
      const w = tf.zeros([3, 3, 2, 3]) as tf.Tensor4D;
      const b = tf.zeros([3]) as tf.Tensor1D;
      expect(conv2dResidualSupported(x, w, b, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, attrs)).toBe(true);
      expect(conv2dResidualSupported(x, w, b, tf.zeros([1, 4, 4, 1]) as tf.Tensor4D, attrs)).toBe(false);
      expect(conv2dResidualSupported(x, w, b, tf.zeros([1, 4, 4, 3], 'int32') as tf.Tensor4D, attrs)).toBe(false);
      expect(conv2dResidualSupported(x, w, tf.zeros([2]) as tf.Tensor1D, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, attrs)).toBe(false);
    });
    await tf.setBackend('cpu');
    tf.tidy(() => {
      expect(conv2dResidualSupported(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, tf.zeros([3, 3, 2, 3]) as tf.Tensor4D, null, tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, attrs)).toBe(false);
    });
  });

  it('the addon refuses a residual of the wrong length and a residual that is the output', () => {
    const addon = loadAddon() as OnednnAddon;
    const x = new Float32Array(1 * 4 * 4 * 2);
    const w = new Float32Array(3 * 3 * 2 * 3);
    const y = new Float32Array(1 * 4 * 4 * 3);
    const g: [number, number, number, number, number, number, number, number] = [1, 1, 1, 1, 1, 1, 1, 1];
    expect(() => addon.conv2dForward(x, [1, 4, 4, 2], w, [3, 3, 2, 3], null, new Float32Array(5), y, [1, 4, 4, 3], g, true)).toThrow(/residual/);
    expect(() => addon.conv2dForward(x, [1, 4, 4, 2], w, [3, 3, 2, 3], null, y, y, [1, 4, 4, 3], g, true)).toThrow(/residual and y/);
  });

  it('Mean and Sum over [n, h, w, c]\'s middle axes (global average pooling; a plain loop where oneDNN has only its reference code) match the cpu backend', async () => {
    const rng = Rng.derive(44, 0);
    for (const [shape, axes] of [[[5, 4, 4, 7], [1, 2]], [[3, 1, 6, 9], [1, 2]], [[2, 3, 4, 5, 6], [1, 2, 3]], [[6, 5, 4], [1]], [[4, 3, 5], [0, 1]]] as [number[], number[]][]) {
      const values = randomValues(rng, shape.reduce((a, b) => a * b, 1));
      for (const op of ['mean', 'sum'] as const) {
        for (const keepDims of [false, true]) {
          const run = async (backend: string) => {
            await tf.setBackend(backend);
            const before = tf.memory().numTensors;
            const x = tf.tensor(values, shape);
            const y = tf[op](x, axes, keepDims);
            const out = { values: y.dataSync() as Float32Array, shape: y.shape };
            tf.dispose([x, y]);
            expect(tf.memory().numTensors).toBe(before);
            return out;
          };
          const want = await run('cpu');
          const got = await run('onednn');
          expect(got.shape).toEqual(want.shape);
          expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
        }
      }
    }
  });

  it('a folded encoder on onednn gives the unfolded encoder’s features on cpu (resnet18, both stems)', async () => {
    for (const cifarStem of [true, false]) {
      await tf.setBackend('cpu');
      const size = cifarStem ? 16 : 32;
      const model = buildResNet({ backbone: 'resnet18', width: 0.125, imageSize: size, cifarStem, seed: 8 });
      const rng = Rng.derive(8, cifarStem ? 1 : 2);
      for (const layer of model.layers) {
        if (layer.getClassName() !== 'BatchNormalization') continue;
        layer.setWeights(layer.weights.map((w) => {
          const kind = w.originalName.split('/').pop();
          const lo = kind === 'moving_variance' ? 0.2 : kind === 'gamma' ? 0.3 : -0.8;
          return tf.tensor1d(Float32Array.from({ length: w.shape[0] as number }, () => rng.uniform(lo, lo + 1.6)));
        }));
      }
      const pixels = randomValues(rng, 4 * size * size * 3);
      const unfolded = tf.tidy(() => model.apply(tf.tensor4d(pixels, [4, size, size, 3]), { training: false }) as tf.Tensor);
      const want = unfolded.dataSync();
      unfolded.dispose();

      await tf.setBackend('onednn');
      const before = tf.memory().numTensors;
      const folded = foldBatchNorm(model);
      const x = tf.tensor4d(pixels, [4, size, size, 3]);
      const h = folded.predict(x) as tf.Tensor;
      const got = h.dataSync();
      tf.dispose([x, h]);
      folded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(relativeError(got, want)).toBeLessThan(1e-4);
      model.dispose();
    }
  });
});
