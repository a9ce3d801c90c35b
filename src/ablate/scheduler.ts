import type { Cell } from './grid.js';
import type { GridProgress } from './progress.js';

export type CellOutcome =
  | { status: 'finished'; seconds: number; summary: string }
  | { status: 'stopped' }
  | { status: 'failed'; error: string };

export interface RunCellsSummary {
  finished: number;
  stopped: number;
  failed: { cell: Cell; error: string }[];
}

/**
 * Runs `cells` in order, `jobs` at a time. After an abort no new cell starts (the running ones
 * stop at their next step, with a checkpoint). A failed cell is reported and the grid goes on.
 */
export async function runCells(
  cells: Cell[],
  jobs: number,
  run: (cell: Cell) => Promise<CellOutcome>,
  o: { signal?: AbortSignal; progress: GridProgress; onFinished?: (cell: Cell) => Promise<void> },
): Promise<RunCellsSummary> {
  const summary: RunCellsSummary = { finished: 0, stopped: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < cells.length && !o.signal?.aborted) {
      const cell = cells[next++];
      o.progress.started(cell);
      let outcome: CellOutcome;
      try {
        outcome = await run(cell);
      } catch (err) {
        outcome = { status: 'failed', error: (err as Error).message.split('\n')[0] };
      }
      if (outcome.status === 'finished') {
        summary.finished += 1;
        o.progress.finished(cell, outcome.seconds, outcome.summary);
        await o.onFinished?.(cell);
      } else if (outcome.status === 'stopped') {
        summary.stopped += 1;
        o.progress.notFinished(cell, 'stopped (resumes from its checkpoint on the next run)');
      } else {
        summary.failed.push({ cell, error: outcome.error });
        o.progress.notFinished(cell, `failed: ${outcome.error}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, cells.length)) }, worker));
  return summary;
}
