import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { registerOnednnBackend } from '../../src/backend/onednn/index.js';
import { caseName, convCases, randomValues, relativeError, runKernelOn, type ConvCase } from './helpers.js';
import { onednnAvailable } from './onednnHelpers.js';

type Operand = { values: Float32Array; shape: number[] };
type Made = { inputs: Record<string, Operand>; attrs: Record<string, unknown>; outShape: number[] };

function shapes(c: ConvCase, dilation = 1) {
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  const filterShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  const dyShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.stride, dilation, c.pad).outShape;
  return { xShape, filterShape, dyShape };
}

function operand(rng: Rng, shape: number[]): Operand {
  return { values: randomValues(rng, shape.reduce((a, b) => a * b, 1)), shape };
}

const KERNELS: Record<string, (c: ConvCase, rng: Rng) => Made> = {
  Conv2D: (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return { inputs: { x: operand(rng, xShape), filter: operand(rng, filterShape) }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1 }, outShape: dyShape };
  },
  'FusedConv2D (bias, relu)': (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return {
      inputs: { x: operand(rng, xShape), filter: operand(rng, filterShape), bias: operand(rng, [c.co]) },
      attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1, activation: 'relu' },
      outShape: dyShape,
    };
  },
  'FusedConv2D (no bias, linear)': (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return { inputs: { x: operand(rng, xShape), filter: operand(rng, filterShape) }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: 1, activation: 'linear' }, outShape: dyShape };
  },
  Conv2DBackpropFilter: (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return { inputs: { x: operand(rng, xShape), dy: operand(rng, dyShape) }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape }, outShape: filterShape };
  },
  Conv2DBackpropInput: (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return { inputs: { dy: operand(rng, dyShape), filter: operand(rng, filterShape) }, attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape }, outShape: xShape };
  },
};

const kernelOf = (label: string) => label.split(' ')[0];

describe.skipIf(!onednnAvailable('onednnConv.test.ts'))('onednn convolutions', () => {
  beforeAll(() => {
    registerOnednnBackend();
  });

  for (const [label, make] of Object.entries(KERNELS)) {
    describe(label, () => {
      for (const [i, c] of convCases(23, 16).entries()) {
        it(`matches the cpu backend: ${caseName(c)}`, async () => {
          const { inputs, attrs, outShape } = make(c, Rng.derive(31, i));
          const want = await runKernelOn('cpu', kernelOf(label), inputs, attrs);
          const before = tf.memory().numTensors;
          const got = await runKernelOn('onednn', kernelOf(label), inputs, attrs);
          expect(tf.memory().numTensors).toBe(before);
          expect(got.shape).toEqual(outShape);
          expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
        });
      }

      for (const [stride, k] of [[1, 3], [2, 3], [2, 1], [3, 1]]) {
        it(`matches the cpu backend with explicit asymmetric padding, stride ${stride}, filter ${k}×${k}`, async () => {
          const c: ConvCase = { n: 2, h: 6, w: 5, ci: 3, co: 4, k, stride, pad: 'valid' };
          const pad = [[0, 0], [2, 1], [0, 2], [0, 0]] as tf.backend_util.ExplicitPadding;
          const dyShape = tf.backend_util.computeConv2DInfo([2, 6, 5, 3], [k, k, 3, 4], stride, 1, pad).outShape;
          const { inputs, attrs } = make(c, Rng.derive(32, stride));
          if ('dy' in inputs) inputs.dy = operand(Rng.derive(33, stride), dyShape);
          const withPad = { ...attrs, pad };
          const want = await runKernelOn('cpu', kernelOf(label), inputs, withPad);
          const got = await runKernelOn('onednn', kernelOf(label), inputs, withPad);
          expect(got.shape).toEqual(want.shape);
          expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
        });
      }
    });
  }

  it('Conv2D with dilation 2 matches the cpu backend', async () => {
    const rng = Rng.derive(34, 0);
    const inputs = { x: operand(rng, [2, 11, 10, 3]), filter: operand(rng, [3, 3, 3, 5]) };
    for (const pad of ['same', 'valid']) {
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: 2 };
      const want = await runKernelOn('cpu', 'Conv2D', inputs, attrs);
      const got = await runKernelOn('onednn', 'Conv2D', inputs, attrs);
      expect(got.shape).toEqual(want.shape);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-5);
    }
  });

  it('Conv2D in NCHW (not given to oneDNN) falls back to the cpu kernel', async () => {
    const rng = Rng.derive(37, 0);
    const inputs = { x: operand(rng, [2, 3, 6, 5]), filter: operand(rng, [3, 3, 3, 4]) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 };
    const want = await runKernelOn('cpu', 'Conv2D', inputs, attrs);
    const got = await runKernelOn('onednn', 'Conv2D', inputs, attrs);
    expect(got.shape).toEqual([2, 4, 6, 5]);
    expect(relativeError(got.values, want.values)).toBe(0);
  });

  it('FusedConv2D with an activation oneDNN is not given (elu) falls back to the cpu kernel', async () => {
    const rng = Rng.derive(35, 0);
    const inputs = { x: operand(rng, [1, 5, 5, 2]), filter: operand(rng, [3, 3, 2, 3]), bias: operand(rng, [3]) };
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'elu' };
    const want = await runKernelOn('cpu', 'FusedConv2D', inputs, attrs);
    const got = await runKernelOn('onednn', 'FusedConv2D', inputs, attrs);
    expect(relativeError(got.values, want.values)).toBeLessThan(1e-6);
  });

  it('the gradient of a convolution agrees with central finite differences', async () => {
    await tf.setBackend('onednn');
    const rng = Rng.derive(36, 0);
    const x = tf.tensor4d(randomValues(rng, 2 * 7 * 6 * 3), [2, 7, 6, 3]);
    const w = tf.tensor4d(randomValues(rng, 3 * 3 * 3 * 4), [3, 3, 3, 4]);
    const r = tf.tensor(randomValues(rng, 2 * 4 * 3 * 4), [2, 4, 3, 4]);
    // L is linear in x and in w, so central differences are exact but for float32 rounding.
    const loss = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(a, b, 2, 'same'), r));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
    const gx = dx.dataSync();
    const gw = dw.dataSync();
    const h = 0.05;
    const fd = (t: tf.Tensor4D, i: number, other: tf.Tensor4D, first: boolean) => {
      const v = t.dataSync().slice();
      const at = (delta: number) => tf.tidy(() => {
        const u = v.slice();
        u[i] += delta;
        const moved = tf.tensor4d(u, t.shape);
        return loss(first ? moved : other, first ? other : moved).dataSync()[0];
      });
      return (at(h) - at(-h)) / (2 * h);
    };
    const pick = Rng.derive(36, 1);
    for (let j = 0; j < 12; j++) {
      const i = pick.int(gx.length);
      expect(fd(x, i, w, true)).toBeCloseTo(gx[i], 2);
      const k = pick.int(gw.length);
      expect(fd(w, k, x, false)).toBeCloseTo(gw[k], 2);
    }
    tf.dispose([x, w, r, dx, dw]);
  });
});
