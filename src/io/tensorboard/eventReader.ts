/**
 * Reads a TensorBoard event file back, verifying every record's length and data CRC.
 * Used by tests and by resume checks.
 */
import fs from 'node:fs';
import { decodeEvent, type HistogramProto, type SummaryImage } from './proto.js';
import { parseRecords } from './records.js';

export interface ReadEvent {
  step: number;
  wallTime: number;
  /** Set on the file's first event ("brain.Event:2"). */
  fileVersion?: string;
  scalars: Record<string, number>;
  /** Tags of the image summaries in this event; their data is in `imageData`. */
  images: string[];
  imageData: Record<string, SummaryImage>;
  histograms: Record<string, HistogramProto>;
}

/**
 * All events of the file at `path`, in order. Throws on a CRC mismatch; throws on an
 * incomplete last record unless `allowTruncatedTail` (a writer killed mid-append).
 */
export function readEvents(path: string, opts: { allowTruncatedTail?: boolean } = {}): ReadEvent[] {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read event file ${path}: ${(err as Error).message}`);
  }
  const { records } = parseRecords(bytes, { ...opts, source: path });
  return records.map((record, i) => {
    let event;
    try {
      event = decodeEvent(record);
    } catch (err) {
      throw new Error(`${path}: record ${i} is not an Event (${(err as Error).message})`);
    }
    const out: ReadEvent = {
      step: event.step,
      wallTime: event.wallTime,
      scalars: {},
      images: [],
      imageData: {},
      histograms: {},
    };
    if (event.fileVersion !== undefined) out.fileVersion = event.fileVersion;
    for (const v of event.summary?.value ?? []) {
      if (v.simpleValue !== undefined) out.scalars[v.tag] = v.simpleValue;
      if (v.image !== undefined) {
        out.images.push(v.tag);
        out.imageData[v.tag] = v.image;
      }
      if (v.histo !== undefined) out.histograms[v.tag] = v.histo;
    }
    return out;
  });
}
