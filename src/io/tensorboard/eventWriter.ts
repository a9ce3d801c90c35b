/**
 * Writes a TensorBoard event file: `<logdir>/events.out.tfevents.<unix seconds>.<hostname>`.
 *
 * Summaries are framed in memory and appended to the file on `flush()` (the trainer flushes at
 * each log step), so logging never blocks a training step on disk. A killed process loses at
 * most the unflushed summaries; a torn last record is skipped by TensorBoard and by
 * `readEvents(path, { allowTruncatedTail: true })`.
 *
 * Resuming: call `truncateEventsAfterStep(logdir, checkpointStep)`, then create a new
 * EventWriter on the same logdir. It starts a new file; TensorBoard merges every event file of
 * a directory into one run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { histogramProto } from './histogram.js';
import { pngHeader } from './pngHeader.js';
import { encodeEvent, type SummaryValue } from './proto.js';
import { frameRecord } from './records.js';

const FILE_VERSION = 'brain.Event:2';

export class EventWriter {
  readonly path: string;
  private buffered: Uint8Array[] = [];
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(logdir: string, opts: { filenameSuffix?: string } = {}) {
    const stem = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${os.hostname()}`;
    const first = frameRecord(encodeEvent({ wallTime: Date.now() / 1000, step: 0, fileVersion: FILE_VERSION }));
    try {
      fs.mkdirSync(logdir, { recursive: true });
    } catch (err) {
      throw new Error(`cannot create event log directory ${logdir}: ${(err as Error).message}`);
    }
    // Two writers started in the same second (a quick resume) must not share a file.
    for (let n = 0; ; n++) {
      const candidate = path.join(logdir, `${stem}${n === 0 ? '' : `.${n}`}${opts.filenameSuffix ?? ''}`);
      try {
        fs.writeFileSync(candidate, first, { flag: 'wx' });
        this.path = candidate;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new Error(`cannot create event file ${candidate}: ${(err as Error).message}`);
      }
    }
  }

  scalar(tag: string, value: number, step: number): void {
    if (typeof value !== 'number') throw new Error(`scalar ${tag}: value must be a number, got ${typeof value}`);
    this.add(step, { tag, simpleValue: value });
  }

  /** `png` is an encoded PNG; its size and colour space are read from its header. */
  image(tag: string, png: Uint8Array, step: number): void {
    const { width, height, colorspace } = pngHeader(png);
    this.add(step, { tag, image: { width, height, colorspace, encodedImageString: png } });
  }

  histogram(tag: string, values: Float32Array, step: number): void {
    this.add(step, { tag, histo: histogramProto(values) });
  }

  /** Append everything logged so far. Flushes run in call order; a failed one loses its
   *  summaries (the error says why) but does not block later flushes. */
  flush(): Promise<void> {
    const chunk = Buffer.concat(this.buffered);
    this.buffered = [];
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (chunk.length === 0) return;
        try {
          await fs.promises.appendFile(this.path, chunk);
        } catch (err) {
          throw new Error(`cannot append to event file ${this.path}: ${(err as Error).message}`);
        }
      });
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private add(step: number, value: SummaryValue): void {
    if (this.closed) throw new Error(`event file ${this.path} is closed`);
    if (typeof value.tag !== 'string' || value.tag === '') throw new Error('summary tag must be a non-empty string');
    if (!Number.isSafeInteger(step) || step < 0) {
      throw new Error(`summary ${value.tag}: step must be a non-negative integer, got ${step}`);
    }
    this.buffered.push(frameRecord(encodeEvent({ wallTime: Date.now() / 1000, step, summary: { value: [value] } })));
  }
}
