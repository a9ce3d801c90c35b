import * as tf from '@tensorflow/tfjs';

/** MoCo's default dictionary size K (He et al. 2020). */
export const MOCO_QUEUE_SIZE = 65536;

export interface KeyQueueState {
  /** The filled rows, count × dim, in slot order. */
  keys: Float32Array;
  ptr: number;
  count: number;
  size: number;
  dim: number;
}

/**
 * MoCo's dictionary: a FIFO ring buffer of the last `size` keys, [size, dim], held in one
 * non-trainable tf.Variable overwritten in place, so memory stays constant over training.
 *
 * `keys` is the queue as [K, dim] in slot order (not age order; the loss does not care):
 * K = count, i.e. only the filled rows until the queue is full, then the whole buffer.
 * The queue owns that tensor: do not dispose it; it is valid until the next enqueue.
 */
export class KeyQueue {
  readonly size: number;
  readonly dim: number;
  private readonly storage: tf.Variable<tf.Rank.R2>;
  /** The filled rows while not full (a kept slice); null once full (keys = storage). */
  private filled: tf.Tensor2D | null = null;
  private next = 0;
  private filledCount = 0;

  /** `size` may be passed as undefined for MoCo's default 65536. */
  constructor(size: number = MOCO_QUEUE_SIZE, dim: number) {
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new Error(`KeyQueue needs integer size ≥ 1 and dim ≥ 1, got size=${size}, dim=${dim}`);
    }
    this.size = size;
    this.dim = dim;
    this.storage = tf.tidy(() => tf.variable(tf.zeros([size, dim]) as tf.Tensor2D, false));
    this.refreshFilled();
  }

  get keys(): tf.Tensor2D {
    return this.filled ?? this.storage;
  }

  /** The slot the next key goes to. */
  get ptr(): number {
    return this.next;
  }

  /** Number of filled slots (≤ size). */
  get count(): number {
    return this.filledCount;
  }

  /**
   * Writes the B rows of `keys` at ptr, wrapping around and overwriting the oldest. With
   * B > size only the newest `size` rows survive, exactly as if enqueued one by one.
   * MoCo enqueues the L2-normalised keys of each batch after the step.
   */
  enqueue(keys: tf.Tensor2D): void {
    if (keys.rank !== 2 || keys.shape[1] !== this.dim || keys.dtype !== 'float32') {
      throw new Error(
        `KeyQueue.enqueue expects float32 [B, ${this.dim}] keys, got ${keys.dtype} [${keys.shape}]`,
      );
    }
    const b = keys.shape[0];
    if (b === 0) return;
    const { size, dim } = this;
    const kept = Math.min(b, size);
    const start = (this.next + b - kept) % size;
    const first = Math.min(kept, size - start); // rows written at [start, start + first)
    const wrapped = kept - first; // rows written at [0, wrapped)
    tf.tidy(() => {
      const newest = keys.slice([b - kept, 0], [kept, dim]);
      const parts: tf.Tensor2D[] = [];
      if (wrapped > 0) parts.push(newest.slice([first, 0], [wrapped, dim]));
      if (start > wrapped) parts.push(this.storage.slice([wrapped, 0], [start - wrapped, dim]));
      parts.push(newest.slice([0, 0], [first, dim]));
      const end = start + first;
      if (end < size) parts.push(this.storage.slice([end, 0], [size - end, dim]));
      this.storage.assign(tf.concat(parts, 0));
    });
    this.next = (this.next + b) % size;
    this.filledCount = Math.min(size, this.filledCount + b);
    this.refreshFilled();
  }

  /** A copy of the queue for checkpoints. */
  state(): KeyQueueState {
    const all = this.storage.dataSync() as Float32Array;
    return {
      keys: all.slice(0, this.filledCount * this.dim),
      ptr: this.next,
      count: this.filledCount,
      size: this.size,
      dim: this.dim,
    };
  }

  static fromState(state: KeyQueueState): KeyQueue {
    const { keys, ptr, count, size, dim } = state;
    const queue = new KeyQueue(size, dim);
    const consistent =
      Number.isInteger(count) &&
      count >= 0 &&
      count <= size &&
      keys.length === count * dim &&
      Number.isInteger(ptr) &&
      // Before the first wrap, slots fill from 0, so ptr = count.
      (count < size ? ptr === count : ptr >= 0 && ptr < size);
    if (!consistent) {
      queue.dispose();
      throw new Error(
        `inconsistent KeyQueue state: ptr=${ptr}, count=${count}, size=${size}, ${keys.length} values for dim ${dim}`,
      );
    }
    const full = new Float32Array(size * dim);
    full.set(keys);
    tf.tidy(() => queue.storage.assign(tf.tensor2d(full, [size, dim])));
    queue.next = ptr;
    queue.filledCount = count;
    queue.refreshFilled();
    return queue;
  }

  dispose(): void {
    this.filled?.dispose();
    this.filled = null;
    this.storage.dispose();
  }

  private refreshFilled(): void {
    this.filled?.dispose();
    // Kept: the slice may be made inside a caller's tf.tidy but must outlive it.
    this.filled =
      this.filledCount < this.size
        ? tf.keep(this.storage.slice([0, 0], [this.filledCount, this.dim]))
        : null;
  }
}
