import { Rng } from '../../augment/rng.js';

/** Row indices of a train/validation split that keeps each class's share in both parts. */
export interface Split {
  train: Int32Array;
  val: Int32Array;
}

const SPLIT_STREAM = 0x5b1;

/**
 * Each class puts round(valFraction · count) of its rows (at least one when it has two or more)
 * into `val`, chosen by a seeded shuffle; the rest go to `train`. Indices come back sorted.
 */
export function stratifiedSplit(
  labels: Int32Array,
  numClasses: number,
  valFraction = 0.2,
  seed = 0,
): Split {
  if (!(valFraction > 0 && valFraction < 1)) {
    throw new Error(`valFraction must be in (0, 1) (got ${valFraction})`);
  }
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const train: number[] = [];
  const val: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const rows = Rng.derive(seed, SPLIT_STREAM, c).shuffle(byClass[c]);
    const nVal = rows.length < 2 ? 0 : Math.max(1, Math.round(valFraction * rows.length));
    for (let r = 0; r < rows.length; r++) (r < nVal ? val : train).push(rows[r]);
  }
  if (val.length === 0 || train.length === 0) {
    throw new Error(`cannot split ${labels.length} rows into non-empty train and validation parts`);
  }
  return {
    train: Int32Array.from(train).sort(),
    val: Int32Array.from(val).sort(),
  };
}
