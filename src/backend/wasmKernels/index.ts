import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormGradConfig } from './batchNormGrad.js';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter.js';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput.js';

const KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterConfig, conv2dBackpropInputConfig];

/**
 * Makes the wasm backend able to train CNNs fast: registers the missing/slow backward
 * convolution kernels (replacing wasm's own, slow Conv2DBackpropInput) and a tile-free
 * FusedBatchNorm gradient. Idempotent. Import '@tensorflow/tfjs-backend-wasm' first.
 */
export function registerWasmTrainingKernels(): void {
  for (const config of KERNELS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    // Unregister first: registerKernel would warn about replacing the stock kernel.
    if (current != null) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  // Gradients are global, not per backend: the tile-free one is exact, and faster on cpu too.
  if (tf.getGradient(fusedBatchNormGradConfig.kernelName) !== fusedBatchNormGradConfig) {
    tf.registerGradient(fusedBatchNormGradConfig);
  }
}
