import * as tf from '@tensorflow/tfjs';
import { fusedBatchNormGradConfig } from './batchNormGrad.js';
import { conv2dBackpropFilterConfig } from './conv2dBackpropFilter.js';
import { conv2dBackpropInputConfig } from './conv2dBackpropInput.js';
import { FAST_PATH_KERNELS, withFastPath } from './fastPaths.js';

const KERNELS: tf.KernelConfig[] = [conv2dBackpropFilterConfig, conv2dBackpropInputConfig];
/** Stock kernels wrapped with a fast path, made once from the stock config. */
const wrapped = new Map<string, tf.KernelConfig>();

/**
 * Makes the wasm backend able to train CNNs fast: registers the missing/slow backward
 * convolution kernels (replacing wasm's own, slow Conv2DBackpropInput), fast paths in front of
 * Sum/Mean/Identity/Cast (fastPaths.ts) and a tile-free FusedBatchNorm gradient. Idempotent. Import '@tensorflow/tfjs-backend-wasm' first.
 */
export function registerWasmTrainingKernels(): void {
  for (const name of FAST_PATH_KERNELS) {
    if (wrapped.has(name)) continue;
    const stock = tf.getKernel(name, 'wasm');
    if (stock != null) wrapped.set(name, withFastPath(stock));
  }
  for (const config of [...KERNELS, ...wrapped.values()]) {
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
