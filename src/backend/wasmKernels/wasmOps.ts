/**
 * Calls into the wasm backend's own kernels from inside a kernel function, on TensorInfos,
 * so the backward convolutions run on XNNPACK's fast forward convolution. Every TensorInfo
 * made here is owned by the caller and released with `release`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type TensorInfo = tf.TensorInfo;
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

function runWasmKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (kernel == null) throw new Error(`wasm backend has no '${kernelName}' kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

/** Same data, new shape: a view for the kernels, which read only dataId and shape. */
export function reshape(x: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return runWasmKernel(backend, 'Slice', { x }, { begin, size });
}

/** XNNPACK average pooling (NHWC) with a VALID window of `filterSize`, stride = window. */
export function avgPoolValid(backend: BackendWasm, x: TensorInfo, filterSize: [number, number]): TensorInfo {
  return runWasmKernel(backend, 'AvgPool', { x }, { filterSize, strides: filterSize, pad: 'valid' } as unknown as tf.NamedAttrMap);
}

/** XNNPACK forward convolution (NHWC), stride 1, explicit zero padding, optional dilation. */
export function conv2dStride1(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pad: ExplicitPadding,
  dilations: [number, number] = [1, 1],
): TensorInfo {
  return runWasmKernel(
    backend,
    'Conv2D',
    { x, filter },
    { strides: [1, 1], pad, dilations, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
  );
}

/** A float32 output of `shape` filled with zeros, and a view on its heap memory. */
export function zeros(backend: BackendWasm, shape: number[]): { info: TensorInfo; values: Float32Array } {
  const info = backend.makeOutput(shape, 'float32');
  const values = backend.typedArrayFromHeap(info) as Float32Array;
  values.fill(0);
  return { info, values };
}

/** Heap view of a float32 tensor; take it after the last allocation (the heap may grow and move). */
export function view(backend: BackendWasm, x: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(x) as Float32Array;
}
