/** Shared plumbing of the onednn kernels: reading inputs, making outputs, falling back to cpu. */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { OnednnAddon } from './addon.js';

export const ONEDNN = 'onednn';

export interface KernelArgs {
  inputs: Record<string, tf.TensorInfo | undefined>;
  backend: MathBackendCPU;
  attrs: Record<string, unknown>;
}

/** A native implementation: its output, or null when these inputs/attrs are not supported natively. */
export type NativeKernel = (args: KernelArgs, addon: OnednnAddon) => tf.TensorInfo | tf.TensorInfo[] | null;

/** A kernel that runs natively where it can and otherwise runs the cpu backend's own kernel. */
export function nativeOrCpu(kernelName: string, addon: OnednnAddon, native: NativeKernel): tf.KernelConfig {
  const cpu = tf.getKernel(kernelName, 'cpu');
  if (cpu == null) throw new Error(`onednn: the cpu backend has no ${kernelName} kernel to fall back to`);
  return {
    kernelName,
    backendName: ONEDNN,
    kernelFunc: (args) => native(args as unknown as KernelArgs, addon) ?? cpu.kernelFunc(args),
  };
}

export function isFloat32(t: tf.TensorInfo | undefined): t is tf.TensorInfo {
  return t != null && t.dtype === 'float32';
}

/** The tensor's values as a Float32Array, without a copy when they already are one. */
export function f32(backend: MathBackendCPU, t: tf.TensorInfo): Float32Array {
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Every entry a positive integer below 2^31 (what the addon accepts as a dimension). */
export function validDims(shape: readonly number[]): boolean {
  return shape.every((d) => Number.isInteger(d) && d > 0 && d < 2 ** 31);
}

/** Output extent of a window sliding over one axis by oneDNN's rule (floor), which the native side checks against; −1 when the window does not fit. */
export function outputExtent(inSize: number, k: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  const span = inSize + padBefore + padAfter - ((k - 1) * dilation + 1);
  return span < 0 ? -1 : Math.floor(span / stride) + 1;
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}
