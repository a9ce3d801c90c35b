import { formatDuration } from '../train/progress.js';
import type { Cell } from './grid.js';

/**
 * One line per cell started and finished, with the grid's overall ETA: the mean time of the
 * cells finished in this invocation × the cells left ÷ the cells run at once.
 */
export class GridProgress {
  private handledHere = 0;
  private finishedHere = 0;
  private secondsHere = 0;

  constructor(
    private readonly totalCells: number,
    private doneCells: number,
    private readonly pending: number,
    private readonly jobs: number,
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  started(cell: Cell): void {
    this.write(`ablate [${cell.index + 1}/${this.totalCells}] ${cell.id}: started`);
  }

  finished(cell: Cell, seconds: number, summary: string): void {
    this.handledHere += 1;
    this.finishedHere += 1;
    this.secondsHere += seconds;
    this.doneCells += 1;
    const left = this.pending - this.handledHere;
    const eta = left > 0 ? formatDuration((1000 * this.secondsHere * left) / (this.finishedHere * this.jobs)) : '00:00';
    this.write(
      `ablate [${cell.index + 1}/${this.totalCells}] ${cell.id}: ${summary} in ${formatDuration(1000 * seconds)} | ` +
        `${this.doneCells}/${this.totalCells} done, ${left} left here, ETA ${eta}`,
    );
  }

  /** A failed cell is no longer left to do, but its time says nothing about the others'. */
  notFinished(cell: Cell, why: string): void {
    this.handledHere += 1;
    this.write(`ablate [${cell.index + 1}/${this.totalCells}] ${cell.id}: ${why}`);
  }
}
