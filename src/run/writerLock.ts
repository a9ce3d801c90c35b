import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Who holds a run directory: written into its lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

export const LOCK_FILE = 'writer.lock';
/** The holder touches the lock this often; a lock untouched for STALE_MS is a lost holder's. */
const HEARTBEAT_MS = 10_000;
const STALE_MS = 120_000;

export interface WriterLock {
  release(): void;
}

/**
 * Why a lock is not (or no longer) anyone's: its process is gone on this host, or its heartbeat
 * stopped (a process on another host that died, or a lost node). Undefined: the holder is live.
 */
function staleReason(holder: LockHolder | undefined, mtimeMs: number): string | undefined {
  if (!holder) return 'unreadable lock';
  if (Date.now() - mtimeMs > STALE_MS) return `no heartbeat for ${Math.round((Date.now() - mtimeMs) / 1000)} s`;
  if (holder.host === os.hostname()) {
    if (holder.pid === process.pid) return undefined;
    try {
      process.kill(holder.pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return `process ${holder.pid} is gone`;
    }
  }
  return undefined;
}

function readLock(file: string): { holder?: LockHolder; mtimeMs: number } | undefined {
  let text: string;
  let mtimeMs: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return { holder: Number.isInteger(holder.pid) && typeof holder.host === 'string' ? holder : undefined, mtimeMs };
  } catch {
    return { mtimeMs };
  }
}

/** One clear line if a live process writes `dir`; nothing if it is free or its lock is stale. */
export function assertNoLiveWriter(dir: string): void {
  const lock = readLock(path.join(dir, LOCK_FILE));
  if (!lock || staleReason(lock.holder, lock.mtimeMs) !== undefined) return;
  const h = lock.holder!;
  throw new Error(`${dir} is being written by process ${h.pid} on ${h.host} (since ${h.startedAt}): stop it first, or use another --out`);
}

/**
 * Takes the one-writer lock of a run directory (which must exist). A live holder is an error
 * naming it; a stale lock (its process gone, or no heartbeat for 2 minutes) is taken over, so a
 * run killed with SIGKILL can be resumed at once. Readers never look at the lock.
 */
export function acquireWriterLock(dir: string): WriterLock {
  const file = path.join(dir, LOCK_FILE);
  const mine: LockHolder = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(dir, err);
    }
    assertNoLiveWriter(dir);
    // Stale: replace it by rename (atomic), then check that this process is the one that won.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    if (readLock(file)?.holder?.pid === process.pid) break;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      fs.utimesSync(file, now, now);
    } catch {
      // the directory was removed under us: nothing left to protect
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    release() {
      clearInterval(heartbeat);
      if (readLock(file)?.holder?.pid === process.pid) fs.rmSync(file, { force: true });
    },
  };
}

function lockError(dir: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') {
    assertNoLiveWriter(dir);
    return new Error(`${dir}: another process took the run directory's lock at the same time`);
  }
  return new Error(`cannot lock ${dir}: ${code ?? (err as Error).message}`);
}
