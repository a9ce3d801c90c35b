import fs from 'node:fs';
import path from 'node:path';
import { acquireWriterLock, assertNoLiveWriter, type WriterLock } from './writerLock.js';

/** The files of a run directory (README: Run directory). */
export function runPaths(out: string) {
  return {
    root: out,
    config: path.join(out, 'config.json'),
    metrics: path.join(out, 'metrics.jsonl'),
    checkpoint: path.join(out, 'checkpoint'),
    encoder: path.join(out, 'encoder'),
  };
}

export type RunPaths = ReturnType<typeof runPaths>;

/**
 * Whether `out` can be claimed for a run, without touching it: an existing non-empty directory
 * is never overwritten unless `force`; `resume` requires a checkpoint to continue from.
 */
export function checkRunDirectory(out: string, { resume, force }: { resume: boolean; force: boolean }): void {
  const paths = runPaths(out);
  const exists = fs.existsSync(out);
  if (exists && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out} exists and is not a directory`);
  if (exists) assertNoLiveWriter(out); // never resume into, nor --force away, a run another process is writing
  if (resume) {
    if (!fs.existsSync(path.join(paths.checkpoint, 'meta.json'))) {
      throw new Error(`--resume: no checkpoint in ${out} to continue from (expected ${paths.checkpoint}/)`);
    }
  } else if (exists && !force && fs.readdirSync(out).length > 0) {
    throw new Error(`run directory ${out} already exists: pass --resume to continue it or --force to overwrite it`);
  }
}

/**
 * Claims `out` for a run (checkRunDirectory), emptying it first with `force`, and takes its
 * one-writer lock: release it when the run ends.
 */
export function prepareRunDirectory(out: string, o: { resume: boolean; force: boolean }): RunPaths & { lock: WriterLock } {
  checkRunDirectory(out, o);
  if (!o.resume) {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
  }
  return { ...runPaths(out), lock: acquireWriterLock(out) };
}
