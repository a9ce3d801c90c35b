import { OP_NAMES, type OpName } from '../../augment/recipe.js';
import { flagOf, isOptionName, keyOf, optionNames, optionSpec, type NamesOfKind } from '../config/options.js';
import type { PretrainOptions } from '../config/pretrainOptions.js';

/** One swept option: `--grid color-strength=0.125,0.25,0.5,1`. */
export interface Sweep {
  /** The option's camelCase key, e.g. `colorStrength`. */
  key: keyof PretrainOptions;
  values: (number | string | boolean)[];
}

/** What a grid varies. Everything else is the base options, the same for every cell. */
export interface GridAxes {
  /** Augmentation ops paired in order (n ops ⇒ n² cells); empty: the base recipe only. */
  ops: OpName[];
  sweeps: Sweep[];
}

/** One point of the grid: one pretrain run plus its probe. */
export interface Cell {
  /** Stable and file-system safe, e.g. `crop+color` or `color-strength=0.5__crop+color`. */
  id: string;
  /** Position in the enumeration (row-major over the dimensions). */
  index: number;
  /** One label per dimension (see `gridDimensions`). */
  coords: string[];
  /** Options this cell sets on top of the base options. */
  overrides: Partial<PretrainOptions>;
}

/** Options that say how a cell is executed, not what it learns: per invocation, never in grid.json. */
export const RUN_OPTIONS = optionNames('pretrain', ['operational']);
export type RunOptions = Pick<PretrainOptions, NamesOfKind<'pretrain', 'operational'>>;

/** Parse `--ops crop,color,...`: known ops, each once. */
export function parseOps(spec: string): OpName[] {
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new Error(`--ops: no op given (valid: ${OP_NAMES.join(', ')})`);
  const seen = new Set<string>();
  for (const name of names) {
    if (!(OP_NAMES as readonly string[]).includes(name)) throw new Error(`--ops: unknown op "${name}" (valid: ${OP_NAMES.join(', ')})`);
    if (seen.has(name)) throw new Error(`--ops: op "${name}" listed twice`);
    seen.add(name);
  }
  return names as OpName[];
}

/** Parse `key=v1,v2,...` for any pretrain flag; values take the flag's type (number, boolean, string). */
export function parseSweep(spec: string): Sweep {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new Error(`--grid "${spec}": write key=v1,v2,... (e.g. color-strength=0.25,0.5,1)`);
  const flag = spec.slice(0, eq).trim();
  const key = keyOf(flag);
  if (!isOptionName(key) || !(optionNames('pretrain') as string[]).includes(key)) throw new Error(`--grid "${spec}": unknown option "${flag}" (pretrain flags, kebab-case)`);
  if (optionSpec(key).kind !== 'result') throw new Error(`--grid "${spec}": --${flag} does not change what a cell learns; it cannot be swept`);
  const raw = spec.slice(eq + 1).split(',').map((s) => s.trim());
  if (raw.some((v) => v === '')) throw new Error(`--grid "${spec}": empty value`);
  if (new Set(raw).size !== raw.length) throw new Error(`--grid "${spec}": a value is listed twice`);
  const def = optionSpec(key);
  const values = raw.map((v) => {
    if (def.choices && !(def.choices as unknown[]).includes(v)) throw new Error(`--grid "${spec}": "${v}" is not one of ${(def.choices as unknown[]).join(', ')}`);
    if (def.type === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new Error(`--grid "${spec}": "${v}" is not a number`);
      return n;
    }
    if (def.type === 'boolean') {
      if (v !== 'true' && v !== 'false') throw new Error(`--grid "${spec}": "${v}" is not true or false`);
      return v === 'true';
    }
    return v;
  });
  return { key: key as keyof PretrainOptions, values };
}

/** Dimension names, outermost first: the sweeps, then the first and second op. */
export function gridDimensions(axes: GridAxes): string[] {
  const dims = axes.sweeps.map((s) => flagOf(s.key));
  if (axes.ops.length > 0) dims.push('1st transformation', '2nd transformation');
  return dims;
}

/**
 * Every cell, row-major over the dimensions (sweeps outer, ops inner). For ops A, B the cell
 * applies recipe "A+B" (A then B); the diagonal applies A alone. Ids depend only on the axes,
 * so a cell keeps its directory when the grid is run again, sharded or merged.
 */
export function enumerateCells(axes: GridAxes): Cell[] {
  const keys = axes.sweeps.map((s) => s.key);
  if (new Set(keys).size !== keys.length) throw new Error('--grid: an option is swept twice; list all its values in one --grid');
  if (axes.ops.length > 0 && keys.includes('augment')) throw new Error('--grid augment=... and --ops both set the recipe: use one');
  type Part = { label: string; id: string; overrides: Partial<PretrainOptions> };
  let combos: Part[][] = [[]];
  for (const sweep of axes.sweeps) {
    const parts = sweep.values.map((v) => ({
      label: String(v),
      id: `${flagOf(sweep.key)}=${safe(String(v))}`,
      overrides: { [sweep.key]: v } as Partial<PretrainOptions>,
    }));
    combos = combos.flatMap((c) => parts.map((p) => [...c, p]));
  }
  const cells: Cell[] = [];
  for (const combo of combos) {
    const sweepOverrides = Object.assign({}, ...combo.map((p) => p.overrides)) as Partial<PretrainOptions>;
    const sweepIds = combo.map((p) => p.id);
    const sweepCoords = combo.map((p) => p.label);
    const pairs: [OpName, OpName][] = axes.ops.flatMap((a) => axes.ops.map((b) => [a, b] as [OpName, OpName]));
    if (pairs.length === 0) {
      cells.push({ id: sweepIds.join('__') || 'base', index: cells.length, coords: sweepCoords, overrides: sweepOverrides });
      continue;
    }
    for (const [a, b] of pairs) {
      const recipe = a === b ? a : `${a}+${b}`;
      cells.push({
        id: [...sweepIds, recipe].join('__'),
        index: cells.length,
        coords: [...sweepCoords, a, b],
        overrides: { ...sweepOverrides, augment: recipe },
      });
    }
  }
  return cells;
}

/** Keep ids usable as directory names everywhere. */
function safe(value: string): string {
  return value.replace(/[^A-Za-z0-9._+-]/g, '_');
}
