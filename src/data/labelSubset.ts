import { Rng } from '../../augment/rng.js';

/** How many labelled training images to keep: a share of each class, or N per class. */
export type LabelSubset = { fraction: number } | { perClass: number };

const SUBSET_STREAM = 0x1abe1;

/**
 * A stratified, seeded subset of labelled rows: each class keeps round(fraction · count) of its
 * rows (at least one) or min(perClass, count), chosen by a seeded shuffle of that class, so the
 * same seed gives the same subset and a larger fraction never drops a row a smaller one kept
 * (each class's shuffle does not depend on the fraction). Indices come back sorted.
 */
export function labelSubset(labels: Int32Array, numClasses: number, subset: LabelSubset, seed: number): Int32Array {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]].push(i);
  const kept: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    const rows = byClass[c];
    if (rows.length === 0) continue;
    const n = 'fraction' in subset ? Math.max(1, Math.round(subset.fraction * rows.length)) : Math.min(subset.perClass, rows.length);
    kept.push(...Rng.derive(seed, SUBSET_STREAM, c).shuffle(rows).slice(0, n));
  }
  return Int32Array.from(kept).sort();
}

/** `0.01,0.1,1` → fractions; one clear line for anything else. */
export function parseLabelFractions(spec: string): number[] {
  return parseList(spec, '--label-fraction', (v) => v > 0 && v <= 1, 'in (0, 1]');
}

/** `1,10,100` → images per class. */
export function parsePerClass(spec: string): number[] {
  return parseList(spec, '--per-class', (v) => Number.isInteger(v) && v >= 1, 'a positive integer');
}

function parseList(spec: string, flag: string, ok: (v: number) => boolean, expected: string): number[] {
  const parts = String(spec).split(',').map((s) => s.trim());
  return parts.map((part) => {
    const v = part === '' ? NaN : Number(part);
    if (!ok(v)) throw new Error(`${flag}: each value must be ${expected}, got "${part}" in "${spec}"`);
    return v;
  });
}

/** The subsets named by --label-fraction / --per-class (at most one of them), as given. */
export function labelSubsetsOf(o: { labelFraction?: string | number; perClass?: string | number }): LabelSubset[] {
  if (o.labelFraction !== undefined && o.perClass !== undefined) throw new Error('--label-fraction and --per-class contradict each other: pick one');
  if (o.labelFraction !== undefined) return parseLabelFractions(String(o.labelFraction)).map((fraction) => ({ fraction }));
  if (o.perClass !== undefined) return parsePerClass(String(o.perClass)).map((perClass) => ({ perClass }));
  return [];
}

export function describeSubset(s: LabelSubset): string {
  return 'fraction' in s ? `${+(100 * s.fraction).toPrecision(6)}% of labels` : `${s.perClass} per class`;
}
