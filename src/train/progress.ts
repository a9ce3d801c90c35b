/**
 * The one progress reporter: a redrawn bar with ETA and images/s on a TTY, plain lines
 * (one per logged step) otherwise, so logs in files and CI stay readable.
 */
export interface ProgressFields {
  step: number;
  totalSteps: number;
  imagesPerSec: number;
  loss?: number;
  extra?: string;
}

export class ProgressReporter {
  private readonly tty: boolean;
  private readonly startedAt = Date.now();
  private readonly startStep: number;
  private lastDrawn = 0;

  constructor(
    private readonly label: string,
    startStep: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && !process.env.CI;
    this.startStep = startStep;
  }

  /** Called every step; draws at most 4×/s on a TTY. */
  update(fields: ProgressFields): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDrawn < 250 && fields.step < fields.totalSteps) return;
    this.lastDrawn = now;
    const width = 24;
    const done = Math.round((width * fields.step) / fields.totalSteps);
    const bar = '█'.repeat(done) + '░'.repeat(width - done);
    this.stream.write(`\r\x1b[2K${this.label} ${bar} ${this.describe(fields)}`);
  }

  /** Called at logged steps; a plain line when not on a TTY. */
  log(fields: ProgressFields): void {
    if (this.tty) return;
    this.stream.write(`${this.label} ${this.describe(fields)}\n`);
  }

  /** A message that must not be overdrawn by the bar. */
  message(text: string): void {
    this.stream.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
  }

  done(): void {
    if (this.tty) this.stream.write('\n');
  }

  private describe({ step, totalSteps, imagesPerSec, loss, extra }: ProgressFields): string {
    const parts = [`step ${step}/${totalSteps}`];
    if (loss !== undefined) parts.push(`loss ${loss.toFixed(4)}`);
    parts.push(`${imagesPerSec.toFixed(1)} img/s`);
    parts.push(`ETA ${formatDuration(this.eta(step, totalSteps))}`);
    if (extra) parts.push(extra);
    return parts.join(' | ');
  }

  private eta(step: number, totalSteps: number): number {
    const done = step - this.startStep;
    if (done <= 0) return NaN;
    return ((Date.now() - this.startedAt) / done) * (totalSteps - step);
  }
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '--:--';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
