import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { conv2dBackpropFilterConfig } from '../../src/backend/wasmKernels/conv2dBackpropFilter.js';
import { conv2dBackpropInputConfig } from '../../src/backend/wasmKernels/conv2dBackpropInput.js';
import { caseName, convCases, randomValues, relativeError, runKernelOn, useWasm, type ConvCase } from './helpers.js';

beforeAll(useWasm);

type Operand = { values: Float32Array; shape: number[] };

/** The kernel's inputs and attrs for a forward conv case, drawn from a seeded stream. */
type MakeInputs = (c: ConvCase, rng: Rng) => { inputs: Record<string, Operand>; attrs: Record<string, unknown>; outShape: number[] };
const KERNELS: Record<string, { config: tf.KernelConfig; make: MakeInputs }> = {
  Conv2DBackpropFilter: { config: conv2dBackpropFilterConfig, make: (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return {
      inputs: { x: operand(rng, xShape), dy: operand(rng, dyShape) },
      attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape },
      outShape: filterShape,
    };
  } },
  Conv2DBackpropInput: { config: conv2dBackpropInputConfig, make: (c, rng) => {
    const { xShape, filterShape, dyShape } = shapes(c);
    return {
      inputs: { dy: operand(rng, dyShape), filter: operand(rng, filterShape) },
      attrs: { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape },
      outShape: xShape,
    };
  } },
};

function shapes(c: ConvCase) {
  const xShape: [number, number, number, number] = [c.n, c.h, c.w, c.ci];
  const filterShape: [number, number, number, number] = [c.k, c.k, c.ci, c.co];
  const dyShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.stride, 1, c.pad).outShape;
  return { xShape, filterShape, dyShape };
}

function operand(rng: Rng, shape: number[]): Operand {
  return { values: randomValues(rng, shape.reduce((a, b) => a * b, 1)), shape };
}

for (const [kernelName, { config, make }] of Object.entries(KERNELS)) {
  describe(`${kernelName} on wasm`, () => {
    it('is this project\'s kernel', () => {
      const registered = tf.getKernel(kernelName, 'wasm');
      expect(registered?.kernelFunc).toBe(config.kernelFunc);
    });

    for (const [i, c] of convCases(11, 12).entries()) {
      it(`matches the cpu backend: ${caseName(c)}`, async () => {
        const { inputs, attrs, outShape } = make(c, Rng.derive(7, i));
        const want = await runKernelOn('cpu', kernelName, inputs, attrs);
        const before = tf.memory().numTensors;
        const got = await runKernelOn('wasm', kernelName, inputs, attrs);
        expect(tf.memory().numTensors).toBe(before);
        expect(got.shape).toEqual(outShape);
        expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
      });
    }

    for (const stride of [1, 2]) {
      it(`matches the cpu backend with explicit padding wider than the filter, stride ${stride}`, async () => {
        const c: ConvCase = { n: 2, h: 6, w: 5, ci: 3, co: 4, k: 3, stride, pad: 'valid' };
        const pad = [[0, 0], [4, 1], [0, 5], [0, 0]] as tf.backend_util.ExplicitPadding;
        const dyShape = tf.backend_util.computeConv2DInfo([2, 6, 5, 3], [3, 3, 3, 4], stride, 1, pad).outShape;
        const { inputs, attrs } = make(c, Rng.derive(8, stride));
        if ('dy' in inputs) inputs.dy = operand(Rng.derive(8, 10 + stride), dyShape);
        const withPad = { ...attrs, pad };
        const want = await runKernelOn('cpu', kernelName, inputs, withPad);
        const got = await runKernelOn('wasm', kernelName, inputs, withPad);
        expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
      });
    }

    it('rejects NCHW with a clear message', () => {
      const { inputs, attrs } = make(KERNEL_NCHW_CASE, Rng.derive(9, 0));
      const tensors: tf.NamedTensorMap = {};
      for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape);
      expect(() =>
        tf.engine().runKernel(kernelName, tensors, { ...attrs, dataFormat: 'NCHW' } as unknown as tf.NamedAttrMap),
      ).toThrow(/'NHWC' only/);
      tf.dispose(Object.values(tensors));
    });
  });
}

const KERNEL_NCHW_CASE: ConvCase = { n: 1, h: 4, w: 4, ci: 2, co: 3, k: 3, stride: 1, pad: 'same' };
