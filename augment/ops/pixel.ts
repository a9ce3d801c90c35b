/** Small per-pixel helpers shared by the ops (one definition of luma and clamping). */

/** ITU-R BT.601 luma, the weights torchvision and PIL use for grayscale. */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

/** Mirror an out-of-range index back into [0, n) without repeating the edge (numpy 'reflect'). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** Clear one-line errors for bad op parameters. */
export function checkProbability(op: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`${op}: p must be in [0, 1], got ${p}`);
}

export function checkRange(op: string, name: string, range: readonly [number, number], min = 0): void {
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo >= min && lo <= hi)) {
    throw new Error(`${op}: ${name} must be [lo, hi] with ${min} <= lo <= hi, got [${lo}, ${hi}]`);
  }
}

export function checkImageSize(op: string, size: number): void {
  if (!(Number.isInteger(size) && size >= 1)) throw new Error(`${op}: size must be a positive integer, got ${size}`);
}
