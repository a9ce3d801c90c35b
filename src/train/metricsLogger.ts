import { EventWriter } from '../io/tensorboard/eventWriter.js';
import { JsonlWriter } from '../io/jsonl.js';

/** One logged step: the metrics.jsonl record (README: Run directory). */
export interface MetricsRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  imagesPerSec: number;
  dataStall: number;
  /** The objective's own statistics: top1, positiveCosine, negativeCosine, mining shares, … */
  [stat: string]: number;
}

/** Every logged record goes to metrics.jsonl and, as scalars, to TensorBoard — one call. */
export class MetricsLogger {
  constructor(
    private readonly jsonl: JsonlWriter,
    readonly events: EventWriter,
  ) {}

  async log(record: MetricsRecord): Promise<void> {
    return this.logScalars(record);
  }

  /** Any record of named scalars at a step (fine-tuning's per-epoch train means and test scores). */
  async logScalars(record: { step: number; [key: string]: number }): Promise<void> {
    this.jsonl.append({ time: new Date().toISOString(), ...record });
    for (const [key, value] of Object.entries(record)) {
      if (key === 'step' || !Number.isFinite(value)) continue;
      this.events.scalar(tagFor(key), value, record.step);
    }
    await Promise.all([this.jsonl.flush(), this.events.flush()]);
  }

  async close(): Promise<void> {
    await this.jsonl.flush();
    await this.events.close();
  }
}

// TensorBoard groups scalars by the prefix before '/'.
function tagFor(key: string): string {
  if (key.includes('/')) return key; // already grouped, e.g. eval/knn_top1
  if (key === 'imagesPerSec' || key === 'dataStall') return `speed/${key}`;
  if (key === 'lr' || key === 'gradNorm' || key === 'epoch' || key === 'skippedSteps') return `optim/${key}`;
  // Fine-tuning's per-epoch records: testTop1 → test/top1, trainEpochLoss → train_epoch/loss.
  if (/^test[A-Z]/.test(key)) return `test/${key[4].toLowerCase()}${key.slice(5)}`;
  if (/^trainEpoch[A-Z]/.test(key)) return `train_epoch/${key[10].toLowerCase()}${key.slice(11)}`;
  return `train/${key}`;
}
