import fs from 'node:fs';
import path from 'node:path';
import { withResolvedMicroBatch, type PretrainOptions } from '../config/pretrainOptions.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { optionNames, pickOptions, type NamesOfKind } from '../config/options.js';
import { enumerateCells, type Cell, type GridAxes } from './grid.js';

/** What decides what a cell learns (the data included); the rest comes with each invocation. */
export type TrainingOptions = Pick<PretrainOptions, NamesOfKind<'pretrain', 'result' | 'input'>>;

/** The names of TrainingOptions: what grid.json's base holds. */
export const TRAINING_OPTIONS = optionNames('pretrain', ['result', 'input']);

/** How every cell is scored. */
export interface ProbeSetup {
  train: string;
  test: string;
  k: number;
}

/**
 * `grid.json`: everything that decides a cell's result. A grid directory holds one grid, so
 * shards, re-runs and `merge` all agree on what each cell id means.
 */
export interface GridDefinition {
  axes: GridAxes;
  /** The options every cell starts from; a cell overrides the swept ones. */
  base: TrainingOptions;
  probe: ProbeSetup;
}

export interface GridFile extends GridDefinition {
  version: 1;
  cells: string[];
}

export function gridFilePath(dir: string): string {
  return path.join(dir, 'grid.json');
}

export function cellDir(gridDir: string, cell: Cell): string {
  return path.join(gridDir, 'cells', cell.id);
}

/** Writes grid.json, or checks that the one already there is the same grid. */
export async function claimGridDir(dir: string, definition: GridDefinition): Promise<void> {
  const file: GridFile = { version: 1, ...definition, base: trainingBaseOf(definition.base), cells: enumerateCells(definition.axes).map((c) => c.id) };
  const wanted = canonical(file);
  const existing = fs.existsSync(gridFilePath(dir)) ? readGridFile(dir) : undefined;
  if (existing) {
    if (canonical(existing) === wanted) return;
    const diff = differingKeys(JSON.parse(wanted), JSON.parse(canonical(existing)));
    throw new Error(`${dir} holds a different grid (differs in: ${diff.join(', ')}): use another --out, or the same options as before`);
  }
  fs.mkdirSync(dir, { recursive: true });
  await writeJsonAtomic(gridFilePath(dir), file);
}

export function readGridFile(dir: string): GridFile {
  const p = gridFilePath(dir);
  let parsed: GridFile;
  try {
    parsed = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${p}: ${(err as Error).message} (is ${dir} a grid made by simclr ablate?)`);
  }
  if (parsed.version !== 1 || !parsed.axes || !parsed.base || !parsed.probe) throw new Error(`${p} is not a grid definition this version understands`);
  return { ...parsed, base: trainingBaseOf(parsed.base) };
}

/**
 * The options every cell of a grid trains with: the training options, with the micro-batch
 * split that --replicas decides made explicit (grids written before --replicas became a
 * per-invocation option kept it in their base; this reads them the same way).
 */
export function trainingBaseOf(o: Partial<PretrainOptions>): TrainingOptions {
  const resolved = o.replicas !== undefined && o.batchSize !== undefined ? withResolvedMicroBatch({ ...o, batchSize: o.batchSize, replicas: o.replicas }) : o;
  return pickOptions(resolved, TRAINING_OPTIONS) as TrainingOptions;
}

/** JSON with sorted keys and no undefined fields: equal definitions give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Dotted paths of the leaves that differ, for an error a user can act on. */
function differingKeys(a: unknown, b: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'cells');
    return keys.flatMap((k) => differingKeys(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix || '(root)'];
}
