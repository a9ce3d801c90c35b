import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it, vi } from 'vitest';
import { registerWasmTrainingKernels } from '../../src/backend/wasmKernels/index.js';

describe('registerWasmTrainingKernels', () => {
  it('replaces the stock kernels silently and is idempotent', async () => {
    await tf.setBackend('wasm');
    const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const warn = vi.spyOn(console, 'warn');
    registerWasmTrainingKernels();
    const filter = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
    const bnGrad = tf.getGradient('FusedBatchNorm');
    registerWasmTrainingKernels();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(filter).toBeDefined();
    expect(input?.kernelFunc).not.toBe(stockInput?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(filter?.kernelFunc);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(input?.kernelFunc);
    expect(tf.getGradient('FusedBatchNorm')).toBe(bnGrad);
  });

  it('leaves depthwise backprop unsupported on wasm, as tfjs ships it (ResNet does not need it)', () => {
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeUndefined();
  });
});
