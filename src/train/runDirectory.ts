import fs from 'node:fs';
import path from 'node:path';

/** The files of a run directory, whose names users and tools rely on (README, "Run directory"). */
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
 * Claims `out` for a run. An existing non-empty directory is never overwritten unless
 * `force`; `resume` requires a checkpoint to continue from.
 */
export function prepareRunDirectory(out: string, { resume, force }: { resume: boolean; force: boolean }): RunPaths {
  const paths = runPaths(out);
  const exists = fs.existsSync(out);
  if (exists && !fs.statSync(out).isDirectory()) throw new Error(`--out ${out} exists and is not a directory`);
  const nonEmpty = exists && fs.readdirSync(out).length > 0;
  if (resume) {
    if (!fs.existsSync(path.join(paths.checkpoint, 'meta.json'))) {
      throw new Error(`--resume: no checkpoint in ${out} to continue from (expected ${paths.checkpoint}/)`);
    }
    return paths;
  }
  if (nonEmpty) {
    if (!force) throw new Error(`run directory ${out} already exists: pass --resume to continue it or --force to overwrite it`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
  return paths;
}
