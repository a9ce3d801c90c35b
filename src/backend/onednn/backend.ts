/**
 * The `onednn` backend: TF.js's cpu backend (its data store and every one of its kernels,
 * re-registered under this name) with the heavy kernels replaced by native ones on oneDNN.
 * Anything without a native version runs the cpu kernel, so every model trains here.
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { backend_util, DataId, DataType } from '@tensorflow/tfjs';
import { loadAddon, type OnednnAddon } from './addon.js';
import { batchNormKernels, batchNormTrainingGradConfig } from './batchNorm.js';
import { convKernels } from './conv.js';
import { elementwiseKernels, reluGradConfig } from './elementwise.js';
import { ONEDNN } from './kernelUtil.js';
import { matmulKernels } from './matmul.js';
import { poolKernels } from './pool.js';
import { noteDeleted, noteEscaped, noteStored } from './outputPool.js';
import { reductionKernels } from './reduction.js';
import { reluKernels } from './relu.js';

/** Every native kernel config (each wraps the cpu kernel of the same name as its fallback). */
export function nativeKernels(addon: OnednnAddon): tf.KernelConfig[] {
  return [...convKernels(addon), ...matmulKernels(addon), ...reluKernels(addon), ...batchNormKernels(addon), ...elementwiseKernels(addon), ...reductionKernels(addon), ...poolKernels(addon)];
}

export interface OnednnOptions {
  /** oneDNN's threads; default OMP_NUM_THREADS when set, else every core. */
  threads?: number;
}

/** OMP_NUM_THREADS as a positive integer, or 0 (a list such as "4,2" takes its first entry). */
function ompThreads(): number {
  const value = Number.parseInt(process.env.OMP_NUM_THREADS ?? '', 10);
  return Number.isInteger(value) && value > 0 && value <= 4096 ? value : 0;
}

let registered = false;

/**
 * The cpu backend under another name, without its "install tfjs-node" banner (this is the
 * native path), telling the output pool (outputPool.ts) when tensor data is stored, read out
 * and deleted.
 */
class OnednnBackend extends MathBackendCPU {
  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    noteStored(values);
    return super.write(values, shape, dtype);
  }

  override move(dataId: DataId, values: backend_util.BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    noteStored(values);
    super.move(dataId, values, shape, dtype, refCount);
  }

  override readSync(dataId: DataId): backend_util.BackendValues {
    noteEscaped(this.data.get(dataId)?.values);
    return super.readSync(dataId);
  }

  override disposeData(dataId: DataId, force?: boolean): boolean {
    const values = this.data.get(dataId)?.values;
    const result = super.disposeData(dataId, force);
    if (values !== undefined && !this.data.has(dataId)) noteDeleted(values);
    return result;
  }
}

function register(addon: OnednnAddon): void {
  // Priority 0: never chosen by TF.js on its own, only by name.
  tf.registerBackend(ONEDNN, () => new OnednnBackend(), 0);
  for (const config of tf.getKernelsForBackend('cpu')) {
    if (tf.getKernel(config.kernelName, ONEDNN) == null) tf.registerKernel({ ...config, backendName: ONEDNN });
  }
  for (const config of nativeKernels(addon)) {
    // Unregister first: registerKernel warns about replacing a kernel.
    if (tf.getKernel(config.kernelName, ONEDNN) != null) tf.unregisterKernel(config.kernelName, ONEDNN);
    tf.registerKernel(config);
  }
  // Gradients are global: the first belongs to a kernel only this backend has; Relu's keeps
  // TF.js's formula on every other backend.
  tf.registerGradient(batchNormTrainingGradConfig);
  tf.registerGradient(reluGradConfig);
  registered = true;
}

/**
 * Registers the backend (once) and sets its thread count; throws a one-line Error when the
 * addon is not built. Activate it with tf.setBackend('onednn').
 */
export function registerOnednnBackend(options: OnednnOptions = {}): { addon: OnednnAddon; threads: number } {
  const addon = loadAddon();
  if (addon instanceof Error) throw addon;
  if (!registered) register(addon);
  const threads = options.threads ?? (ompThreads() || availableParallelism());
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= 4096)) {
    throw new Error(`threads must be an integer from 1 to 4096, got ${threads}`);
  }
  addon.setThreads(threads);
  return { addon, threads: addon.getThreads() };
}
