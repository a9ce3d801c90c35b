/**
 * Output buffers of the native kernels. Large ones come from the addon's pool of reused blocks
 * (a fresh multi-MiB buffer costs far more in page faults than most kernels writing it). A
 * block goes back to the pool as soon as its tensor's data is disposed, unless the array may
 * still be reachable: read out (dataSync/data return the stored array itself on this backend)
 * or shared with another tensor (a view from slice, or the same array written twice). Those
 * are left to V8, which returns the block when it collects the array.
 */
import type { OnednnAddon } from './addon.js';

/** Below this many floats a plain JS allocation is cheap (glibc reuses its heap). */
export const POOL_MIN_FLOATS = 1 << 16;

interface PooledState {
  array: Float32Array;
  owners: number;
  escaped: boolean;
}

const states = new WeakMap<ArrayBufferLike, PooledState>();
let addonRef: OnednnAddon | undefined;

/** A Float32Array of n floats for a kernel's output, every element of which the kernel writes. */
export function allocOutput(addon: OnednnAddon, n: number): Float32Array {
  if (n < POOL_MIN_FLOATS) return new Float32Array(n);
  addonRef = addon;
  const array = addon.allocFloat32(n);
  states.set(array.buffer, { array, owners: 0, escaped: false });
  return array;
}

function stateOf(values: unknown): PooledState | undefined {
  return ArrayBuffer.isView(values) ? states.get(values.buffer) : undefined;
}

/** The backend stored `values` for a tensor. */
export function noteStored(values: unknown): void {
  const state = stateOf(values);
  if (state === undefined) return;
  if (values !== state.array || state.owners > 0) state.escaped = true;
  state.owners++;
}

/** `values` were handed to code outside the backend. */
export function noteEscaped(values: unknown): void {
  const state = stateOf(values);
  if (state !== undefined) state.escaped = true;
}

/** The backend deleted a tensor's data holding `values`. */
export function noteDeleted(values: unknown): void {
  const state = stateOf(values);
  if (state === undefined) return;
  state.owners--;
  if (state.owners > 0 || state.escaped) return;
  state.escaped = true; // once only
  states.delete(state.array.buffer);
  addonRef?.releaseFloat32(state.array);
}
