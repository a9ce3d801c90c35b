import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../augment/rng.js';
import { caseName, convCases, randomValues, relativeError, runKernelOn, useWasm } from './helpers.js';

beforeAll(useWasm);

describe('Conv2DBackpropFilter on wasm', () => {
  it('is registered on wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  for (const [i, c] of convCases(11, 12).entries()) {
    it(`matches the cpu backend: ${caseName(c)}`, async () => {
      const rng = Rng.derive(7, i);
      const xShape = [c.n, c.h, c.w, c.ci];
      const x = { values: randomValues(rng, c.n * c.h * c.w * c.ci), shape: xShape };
      const info = tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number], [c.k, c.k, c.ci, c.co], c.stride, 1, c.pad);
      const dy = { values: randomValues(rng, info.outShape.reduce((a, b) => a * b)), shape: info.outShape };
      const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.k, c.k, c.ci, c.co] };

      const want = await runKernelOn('cpu', 'Conv2DBackpropFilter', { x, dy }, attrs);
      const before = tf.memory().numTensors;
      const got = await runKernelOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
      expect(tf.memory().numTensors).toBe(before);
      expect(got.shape).toEqual([c.k, c.k, c.ci, c.co]);
      expect(relativeError(got.values, want.values)).toBeLessThan(1e-4);
    });
  }

  it('rejects NCHW with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2]);
    const dy = tf.zeros([1, 4, 4, 3]);
    expect(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
        strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/'NHWC' only/);
    tf.dispose([x, dy]);
  });
});
