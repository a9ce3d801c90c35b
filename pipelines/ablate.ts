import fs from 'node:fs';
import path from 'node:path';
import { parseRecipe } from '../augment/recipe.js';
import { compiledCli, runChild } from '../src/ablate/childCell.js';
import { enumerateCells, parseOps, parseSweep, RUN_OPTIONS, type Cell, type RunOptions } from '../src/ablate/grid.js';
import { cellDir, claimGridDir, readGridFile, trainingBaseOf, type GridFile, type TrainingOptions } from '../src/ablate/gridFile.js';
import { GridProgress } from '../src/ablate/progress.js';
import { cellRecordPath, probePath, type CellRecord } from '../src/ablate/results.js';
import { runCells, type CellOutcome } from '../src/ablate/scheduler.js';
import { inShard, parseShard, shardFromEnv } from '../src/ablate/shard.js';
import { writeGridResults } from '../src/ablate/writeResults.js';
import { flagOf, pickOptions } from '../src/config/options.js';
import { augmentationOf, encoderDefaultsOf, validatePretrainOptions, type PretrainOptions } from '../src/config/pretrainOptions.js';
import type { ProbeReport } from '../src/eval/report.js';
import { writeJsonAtomic } from '../src/io/atomic.js';
import { hasCheckpoint } from '../src/train/checkpoint.js';
import { runPaths } from '../src/run/runDirectory.js';
import { probe } from './probe.js';
import { stopOnSignals } from './stopSignals.js';
import { pretrain } from './pretrain.js';

export interface AblateArgs {
  /** Every pretrain option, resolved (data is the unlabelled folder every cell trains on). */
  options: Omit<PretrainOptions, 'resume' | 'force'>;
  train: string;
  test: string;
  /** `crop,color,…`: ordered pairs of these ops (n² cells). */
  ops?: string;
  /** `key=v1,v2,…` sweeps, combined as a Cartesian product (with the op pairs, if any). */
  grid: string[];
  jobs: number;
  /** `i/n`, 0-based; else from SLURM_ARRAY_TASK_* or JOB_COMPLETION_INDEX. */
  shard?: string;
  shardCount?: number;
  k: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface AblateResult {
  cells: number;
  /** Cells finished, stopped by a signal, failed in this invocation. */
  finished: number;
  stopped: number;
  failed: { id: string; error: string }[];
  /** Cells of the whole grid without results yet (any shard). */
  missing: string[];
}

/**
 * `simclr ablate`: pretrain + probe one ordinary run directory per grid cell under
 * `<out>/cells/<id>/`, skipping finished cells and resuming interrupted ones, then write the
 * results table and heatmap from every finished cell (of this shard and any other).
 */
export async function ablate(args: AblateArgs): Promise<AblateResult> {
  const log = args.log ?? ((line: string) => console.error(line));
  const { options } = args;
  if (!Number.isInteger(args.jobs) || args.jobs < 1) throw new Error(`--jobs must be a positive integer, got ${args.jobs}`);
  const axes = { ops: args.ops ? parseOps(args.ops) : [], sweeps: args.grid.map(parseSweep) };
  const cells = enumerateCells(axes);
  const base = trainingBaseOf(options);
  const run = runOptionsOf(options);
  for (const cell of cells) checkCellOptions(cell, base, run, options.out);
  for (const [flag, dir] of [['--data', options.data], ['--train', args.train], ['--test', args.test]] as const) {
    if (!fs.existsSync(dir)) throw new Error(`${flag} ${dir} does not exist`);
  }
  await claimGridDir(options.out, { axes, base, probe: { train: args.train, test: args.test, k: args.k } });
  const grid = readGridFile(options.out);

  const shard = args.shard !== undefined ? parseShard(args.shard) : shardFromEnv(process.env, args.shardCount);
  const mine = inShard(cells, shard);
  const pending = mine.filter((c) => !fs.existsSync(probePath(cellDir(options.out, c))));
  const doneAnywhere = cells.filter((c) => fs.existsSync(probePath(cellDir(options.out, c)))).length;
  log(
    `ablate: ${cells.length} cells in ${options.out}` +
      (shard ? `, shard ${shard.index}/${shard.count}: ${mine.length} of them` : '') +
      `; ${mine.length - pending.length} finished already, ${pending.length} to run, ${args.jobs} at a time`,
  );

  // First signal: the running cells checkpoint and stop; a second: leave now (checkpoints stay).
  const controller = stopOnSignals(() => log('ablate: stopping: running cells checkpoint and stop, no new cell starts (again to quit now)'), args.signal);
  let writing = Promise.resolve();
  const rewriteResults = () => (writing = writing.then(async () => void (await writeGridResults(options.out))));
  const cli = args.jobs > 1 ? compiledCli() : '';
  let summary;
  try {
    summary = await runCells(
      pending,
      args.jobs,
      (cell) =>
        args.jobs > 1
          ? runCellInChild(cli, options.out, cell, run, controller.signal)
          : runAblateCell(options.out, grid, cell, run, { signal: controller.signal, log: (line) => log(`[${cell.id}] ${line}`) }),
      { signal: controller.signal, progress: new GridProgress(cells.length, doneAnywhere, pending.length, args.jobs, log), onFinished: rewriteResults },
    );
  } finally {
    controller.dispose();
  }
  await writing;
  const results = await writeGridResults(options.out);
  return {
    cells: cells.length,
    finished: summary.finished,
    stopped: summary.stopped,
    failed: summary.failed.map((f) => ({ id: f.cell.id, error: f.error })),
    missing: results.missing.map((m) => m.cell.id),
  };
}

/** Just the per-invocation options. */
export function runOptionsOf(o: RunOptions): RunOptions {
  return pickOptions(o, RUN_OPTIONS) as RunOptions;
}

function cellOptions(gridDir: string, base: TrainingOptions, cell: Cell, run: RunOptions): PretrainOptions {
  return { ...base, ...cell.overrides, ...runOptionsOf(run), out: cellDir(gridDir, cell), resume: false, force: false };
}

/** Every cell's options are checked before the first one runs: a bad value fails in seconds, not hours. */
function checkCellOptions(cell: Cell, base: TrainingOptions, run: RunOptions, gridDir: string): void {
  const o = cellOptions(gridDir, base, cell, run);
  try {
    validatePretrainOptions(o);
    const { augment, colorStrength } = augmentationOf(o);
    parseRecipe(augment, { imageSize: o.imageSize, colorStrength });
  } catch (err) {
    throw new Error(`cell ${cell.id}: ${(err as Error).message}`);
  }
}

/**
 * One cell in this process: pretrain (resuming from a checkpoint if there is one) unless the
 * encoder is already saved, then probe. probe.json is written last: its presence means done.
 */
export async function runAblateCell(
  gridDir: string,
  grid: GridFile,
  cell: Cell,
  run: RunOptions,
  hooks: { signal?: AbortSignal; log?: (line: string) => void } = {},
): Promise<CellOutcome> {
  const log = hooks.log ?? ((line: string) => console.error(line));
  const dir = cellDir(gridDir, cell);
  const paths = runPaths(dir);
  if (fs.existsSync(probePath(dir))) return finishedOutcome(dir);
  const started = Date.now();
  const before = readRecord(dir)?.seconds ?? 0;
  const record = (extra: Partial<CellRecord> = {}) => writeJsonAtomic(cellRecordPath(dir), { seconds: before + (Date.now() - started) / 1000, ...extra });

  const options = cellOptions(gridDir, grid.base, cell, run);
  if (!fs.existsSync(path.join(paths.encoder, 'model.json'))) {
    // A checkpoint: continue it. A directory without one (killed before the first): start over.
    const resume = hasCheckpoint(paths.checkpoint);
    try {
      const result = await pretrain({ ...options, resume, force: !resume }, { signal: hooks.signal, log });
      if (result.stopped) {
        await record();
        return { status: 'stopped' };
      }
    } catch (err) {
      const error = (err as Error).message.split('\n')[0];
      if (fs.existsSync(dir)) await record({ error });
      return { status: 'failed', error };
    }
  }
  const defaults = encoderDefaultsOf(options);
  await record();
  await probe(
    { encoder: dir, train: grid.probe.train, test: grid.probe.test, out: probePath(dir), backend: run.backend, threads: run.threads, baselines: false, k: grid.probe.k, seed: options.seed, concurrency: options.concurrency, defaults },
    log,
  );
  await record();
  return finishedOutcome(dir);
}

/** One cell in a child process (`simclr ablate cell`), for --jobs > 1. */
async function runCellInChild(cli: string, gridDir: string, cell: Cell, run: RunOptions, signal: AbortSignal): Promise<CellOutcome> {
  const flags = RUN_OPTIONS.flatMap((k) => (run[k] === undefined ? [] : [`--${flagOf(k)}`, String(run[k])]));
  const { code, lastLine } = await runChild(cli, ['ablate', 'cell', gridDir, cell.id, ...flags], cell.id, signal);
  const dir = cellDir(gridDir, cell);
  if (fs.existsSync(probePath(dir))) return finishedOutcome(dir);
  if (code === 0 || signal.aborted) return { status: 'stopped' };
  return { status: 'failed', error: lastLine.replace(/^simclr: /, '') || `exit code ${code}` };
}

function finishedOutcome(dir: string): CellOutcome {
  const report = JSON.parse(fs.readFileSync(probePath(dir), 'utf8')) as ProbeReport;
  return {
    status: 'finished',
    seconds: readRecord(dir)?.seconds ?? 0,
    summary: `linear top-1 ${(100 * report.linear.top1).toFixed(2)}%, kNN top-1 ${(100 * report.knn.top1).toFixed(2)}%`,
  };
}

function readRecord(dir: string): CellRecord | undefined {
  const file = cellRecordPath(dir);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CellRecord) : undefined;
}

/** `simclr ablate cell <dir> <id>`: the child-process side of --jobs > 1. */
export async function ablateCellCommand(gridDir: string, cellId: string, run: RunOptions): Promise<CellOutcome> {
  const grid = readGridFile(gridDir);
  const cell = enumerateCells(grid.axes).find((c) => c.id === cellId);
  if (!cell) throw new Error(`${gridDir} has no cell "${cellId}"`);
  const stop = stopOnSignals();
  try {
    return await runAblateCell(gridDir, grid, cell, run, { signal: stop.signal });
  } finally {
    stop.dispose();
  }
}

/** `simclr ablate merge <dir>`: table and heatmap from the finished cells; lists the rest. */
export async function mergeGrid(gridDir: string): Promise<{ done: number; cells: number; missing: string[] }> {
  const results = await writeGridResults(gridDir);
  return { done: results.done.length, cells: results.cells.length, missing: results.missing.map((m) => (m.error ? `${m.cell.id} (failed: ${m.error})` : m.cell.id)) };
}
