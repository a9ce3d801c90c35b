import type { HistogramProto } from './proto.js';

/**
 * Summarise `values` as a TensorBoard histogram with `bucketCount` equal-width buckets over
 * [min, max] (TensorBoard re-bins for display, so a few dozen are enough; 30 is its default).
 * Non-finite values are left out (a NaN weight is reported by the loss check, not here).
 */
export function histogramProto(values: Float32Array, bucketCount = 30): HistogramProto {
  if (!Number.isInteger(bucketCount) || bucketCount < 1) {
    throw new Error(`histogram: bucketCount must be a positive integer, got ${bucketCount}`);
  }
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num++;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) throw new Error('histogram: no finite values');
  if (min === max) return { min, max, num, sum, sumSquares, bucketLimit: [max], bucket: [num] };

  const width = (max - min) / bucketCount;
  const bucketLimit = Array.from({ length: bucketCount }, (_, i) => min + (i + 1) * width);
  bucketLimit[bucketCount - 1] = max; // exact, whatever the rounding
  const bucket = new Array<number>(bucketCount).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    // Bucket i holds (limit[i-1], limit[i]]: TensorBoard's convention.
    let i = Math.min(bucketCount - 1, Math.max(0, Math.ceil((v - min) / width) - 1));
    while (i > 0 && v <= bucketLimit[i - 1]) i--;
    while (i < bucketCount - 1 && v > bucketLimit[i]) i++;
    bucket[i]++;
  }
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
