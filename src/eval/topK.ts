/**
 * Indices of the k largest values of `row`, best first. Order: larger value first, and on an
 * exact tie the lower index first (so results do not depend on the backend's sort).
 * Writes into `out` (length ≥ k) and returns it. O(n log k) with a size-k min-heap of the
 * best-so-far whose root is the worst kept: most of a long row fails the root check at once.
 */
export function topKIndices(row: Float32Array, k: number, out: Int32Array = new Int32Array(k)): Int32Array {
  if (!(Number.isInteger(k) && k >= 1 && k <= row.length)) {
    throw new Error(`top-k needs an integer k in [1, ${row.length}] (got ${k})`);
  }
  const heap = out;
  // `a` ranks below `b`: smaller value, or same value and larger index.
  const worse = (a: number, b: number) => row[a] < row[b] || (row[a] === row[b] && a > b);
  const siftDown = (start: number, size: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      const r = l + 1;
      const child = r < size && worse(heap[r], heap[l]) ? r : l;
      if (!worse(heap[child], heap[i])) return;
      const t = heap[i];
      heap[i] = heap[child];
      heap[child] = t;
      i = child;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i, k);
  for (let j = k; j < row.length; j++) {
    // j is larger than every kept index, so it beats the root only by a strictly larger value.
    if (row[j] > row[heap[0]]) {
      heap[0] = j;
      siftDown(0, k);
    }
  }
  // Heap sort in place: repeatedly move the worst kept element to the end.
  for (let size = k - 1; size > 0; size--) {
    const t = heap[0];
    heap[0] = heap[size];
    heap[size] = t;
    siftDown(0, size);
  }
  return out;
}
