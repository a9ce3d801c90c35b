/**
 * JSON Lines metrics files (`metrics.jsonl`): one JSON object per line, appended.
 *
 * A process killed mid-append can leave a torn last line. Readers drop it, and a writer
 * reopening the file cuts it off before its first append, so the next record never lands
 * glued to a torn one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export class JsonlWriter {
  private buffered: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private opened = false;

  constructor(readonly path: string) {}

  /** Buffer one record (NaN and ±Infinity become null, as JSON has no spelling for them). */
  append(obj: object): void {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw new Error(`jsonl ${this.path}: a record must be a plain object`);
    }
    let line: string;
    try {
      line = JSON.stringify(obj);
    } catch (err) {
      throw new Error(`jsonl ${this.path}: record is not JSON-serialisable (${(err as Error).message})`);
    }
    this.buffered.push(line + '\n');
  }

  /** Append everything buffered. Flushes run in call order; a failed one loses its records
   *  (the error says why) but does not block later flushes. */
  flush(): Promise<void> {
    const text = this.buffered.join('');
    this.buffered = [];
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        if (!this.opened) {
          await this.open();
          this.opened = true;
        }
        if (text !== '') await this.appendText(text);
      });
    return this.writing;
  }

  private async open(): Promise<void> {
    try {
      await fs.mkdir(path.dirname(this.path), { recursive: true });
      await repairTail(this.path);
    } catch (err) {
      throw new Error(`cannot open ${this.path} for appending: ${(err as Error).message}`);
    }
  }

  private async appendText(text: string): Promise<void> {
    try {
      await fs.appendFile(this.path, text);
    } catch (err) {
      throw new Error(`cannot append to ${this.path}: ${(err as Error).message}`);
    }
  }
}

/**
 * Make `file` end with a newline before appending: a torn last line is cut off, a complete
 * record merely missing its newline gets one. No-op for a missing file.
 */
async function repairTail(file: string): Promise<void> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    // Scan backwards for the last '\n'; what follows it is at most one line.
    const chunk = Buffer.alloc(4096);
    let tailStart = 0;
    for (let end = size; end > 0; end -= chunk.length) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl >= 0) {
        tailStart = start + nl + 1;
        break;
      }
    }
    if (tailStart === size) return;
    const tail = Buffer.alloc(size - tailStart);
    await handle.read(tail, 0, tail.length, tailStart);
    if (parseRecord(tail.toString('utf8'))) await handle.write('\n', size);
    else await handle.truncate(tailStart);
  } finally {
    await handle.close();
  }
}

type JsonRecord = Record<string, unknown>;

function parseRecord(line: string): JsonRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Records with their exact source line. */
function parseLines(text: string, file: string): Array<{ record: JsonRecord; line: string }> {
  const lines = text.split('\n');
  // The piece after the last '\n' is empty when the file ends with a newline. Otherwise it is
  // kept only if it parses (a hand-written file may lack the final newline); a torn record of
  // a killed writer is dropped.
  const tail = lines.pop() ?? '';
  const out: Array<{ record: JsonRecord; line: string }> = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const record = parseRecord(line);
    if (!record) throw new Error(`${file}:${i + 1}: not a JSON object`);
    out.push({ record, line });
  });
  const record = tail.trim() === '' ? undefined : parseRecord(tail);
  if (record) out.push({ record, line: tail });
  return out;
}

/** All records of a JSON Lines file. A torn last line is dropped; a bad line elsewhere throws. */
export async function readJsonl<T = JsonRecord>(file: string): Promise<T[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseLines(text, file).map((e) => e.record as T);
}

/**
 * Resume support: rewrite `file` (atomically) keeping only the records with `step <= step`
 * and those without a numeric step, so the resumed run does not duplicate steps. A missing
 * file is fine (nothing logged yet). Returns how many records were dropped.
 */
export async function truncateJsonlAfterStep(file: string, step: number): Promise<number> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const entries = parseLines(text, file);
  const kept = entries.filter(({ record }) => typeof record.step !== 'number' || record.step <= step);
  const rewritten = kept.map((e) => e.line + '\n').join('');
  if (rewritten !== text) await writeFileAtomic(file, rewritten);
  return entries.length - kept.length;
}
