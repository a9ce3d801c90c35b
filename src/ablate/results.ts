import fs from 'node:fs';
import path from 'node:path';
import { augmentationOf } from '../config/pretrainOptions.js';
import type { ProbeReport } from '../eval/report.js';
import { enumerateCells, gridDimensions, type Cell } from './grid.js';
import { cellDir, readGridFile, type GridFile } from './gridFile.js';

/** What a cell directory holds besides the run: time spent, or why it failed. */
export interface CellRecord {
  seconds: number;
  error?: string;
}

export function cellRecordPath(dir: string): string {
  return path.join(dir, 'cell.json');
}

export function probePath(dir: string): string {
  return path.join(dir, 'probe.json');
}

/** A finished cell: probe.json is written last, so its presence means done. */
export interface CellResult {
  cell: Cell;
  recipe: string;
  probe: ProbeReport;
  steps?: number;
  seconds?: number;
}

export interface GridResults {
  grid: GridFile;
  dims: string[];
  cells: Cell[];
  done: CellResult[];
  missing: { cell: Cell; error?: string }[];
}

/** Reads whatever cells of the grid in `gridDir` are finished (by any shard or machine). */
export function collectResults(gridDir: string): GridResults {
  const grid = readGridFile(gridDir);
  const cells = enumerateCells(grid.axes);
  const done: CellResult[] = [];
  const missing: GridResults['missing'] = [];
  for (const cell of cells) {
    const dir = cellDir(gridDir, cell);
    const record = readJson<CellRecord>(cellRecordPath(dir));
    const probe = readJson<ProbeReport>(probePath(dir));
    if (!probe) {
      missing.push({ cell, error: record?.error });
      continue;
    }
    const config = readJson<{ schedule?: { totalSteps?: number } }>(path.join(dir, 'config.json'));
    done.push({ cell, recipe: augmentationOf({ ...grid.base, ...cell.overrides }).augment, probe, steps: config?.schedule?.totalSteps, seconds: record?.seconds });
  }
  return { grid, dims: gridDimensions(grid.axes), cells, done, missing };
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The figure the matrix and heatmap show: the linear probe's top-1, as in the paper. */
export const MATRIX_METRIC = { label: 'linear top-1 (%)', value: (r: CellResult) => 100 * r.probe.linear.top1 };

/** One row per finished cell: its coordinates, the recipe, every probe figure, steps, seconds. */
export function resultsCsv(results: GridResults): string {
  const ks = [...new Set(results.done.flatMap((r) => Object.keys(r.probe.retrieval.recallAt).map(Number)))].sort((a, b) => a - b);
  const header = ['cell', ...results.dims, 'augment', 'linear_top1', 'linear_top5', 'linear_val_top1', 'knn_top1', ...ks.map((k) => `recall_at_${k}`), 'map_at_r', 'steps', 'seconds'];
  const num = (x: number | undefined, digits = 4) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(digits));
  const rows = results.done.map((r) => {
    const p = r.probe;
    return [
      r.cell.id,
      ...r.cell.coords,
      r.recipe,
      num(p.linear.top1),
      num(p.linear.top5),
      num(p.linear.valTop1),
      num(p.knn.top1),
      ...ks.map((k) => num(p.retrieval.recallAt[k])),
      num(p.retrieval.mapAtR),
      r.steps === undefined ? '' : String(r.steps),
      num(r.seconds, 1),
    ];
  });
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\n') + '\n';
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The grid as a matrix: columns are the innermost dimension (the 2nd transformation for op
 * pairs), rows every combination of the others; missing cells are undefined.
 */
export interface Matrix {
  rowTitle: string;
  colTitle: string;
  rows: string[];
  cols: string[];
  values: (number | undefined)[][];
  /** Mean of each row over its finished cells, like the paper's last column. */
  rowMeans: (number | undefined)[];
}

export function resultsMatrix(results: GridResults): Matrix {
  const { dims, cells } = results;
  const colOf = (c: Cell) => (dims.length === 0 ? 'base' : c.coords[c.coords.length - 1]);
  const rowOf = (c: Cell) => (dims.length <= 1 ? MATRIX_METRIC.label : c.coords.slice(0, -1).map((v, i) => labelled(dims[i], v)).join(', '));
  const rows = unique(cells.map(rowOf));
  const cols = unique(cells.map(colOf));
  const values = rows.map(() => cols.map((): number | undefined => undefined));
  for (const r of results.done) values[rows.indexOf(rowOf(r.cell))][cols.indexOf(colOf(r.cell))] = MATRIX_METRIC.value(r);
  const rowMeans = values.map((row) => {
    const present = row.filter((v): v is number => v !== undefined);
    return present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : undefined;
  });
  return {
    rowTitle: dims.length <= 1 ? '' : dims.slice(0, -1).join(' / '),
    colTitle: dims.length === 0 ? '' : dims[dims.length - 1],
    rows,
    cols,
    values,
    rowMeans,
  };
}

function isOpDim(dim: string): boolean {
  return dim.endsWith('transformation');
}

function labelled(dim: string, value: string): string {
  return isOpDim(dim) ? value : `${dim}=${value}`;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** The matrix as a Markdown table (values in %, row means last), with what is missing below. */
export function resultsMarkdown(results: GridResults): string {
  const m = resultsMatrix(results);
  const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
  const corner = m.rowTitle && m.colTitle ? `${m.rowTitle} ↓ \\ ${m.colTitle} →` : m.colTitle ? `${m.colTitle} →` : '';
  const lines = [
    `# Ablation grid: ${MATRIX_METRIC.label}`,
    '',
    `${results.done.length} of ${results.cells.length} cells finished; protocol ${results.grid.base.protocol}, seed ${results.grid.base.seed}; ` +
      `probe on ${results.grid.probe.train} → ${results.grid.probe.test}.`,
    '',
    `| ${[corner, ...m.cols, 'mean'].join(' | ')} |`,
    `|${[':--', ...m.cols.map(() => '--:'), '--:'].join('|')}|`,
    ...m.rows.map((row, r) => `| ${[`**${row}**`, ...m.values[r].map(fmt), fmt(m.rowMeans[r])].join(' | ')} |`),
  ];
  if (results.missing.length > 0) {
    lines.push('', `Missing (${results.missing.length}): ${results.missing.map((x) => (x.error ? `${x.cell.id} (failed: ${x.error})` : x.cell.id)).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
