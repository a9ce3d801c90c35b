/**
 * Resume support: drop from every event file in `logdir` the events with step > `step`
 * (the killed run logged them after its last checkpoint; the resumed run logs them again).
 * Without this TensorBoard would draw both runs' points for those steps.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import { decodeEvent } from './proto.js';
import { frameRecord, parseRecords } from './records.js';

/** Returns how many events were dropped. A torn last record is dropped too. */
export async function truncateEventsAfterStep(logdir: string, step: number): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(logdir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(`cannot read event log directory ${logdir}: ${(err as Error).message}`);
  }
  let dropped = 0;
  for (const name of names.filter((n) => n.includes('tfevents'))) {
    const file = path.join(logdir, name);
    const bytes = await fs.readFile(file);
    const { records, truncatedTailBytes } = parseRecords(bytes, { allowTruncatedTail: true, source: file });
    // The file_version event has step 0, so it is always kept.
    const kept = records.filter((r) => decodeEvent(r).step <= step);
    if (kept.length === records.length && truncatedTailBytes === 0) continue;
    dropped += records.length - kept.length;
    await writeFileAtomic(file, Buffer.concat(kept.map(frameRecord)));
  }
  return dropped;
}
