/**
 * Runs bench/pytorch/simclr_bench.py (the bench model in PyTorch: the measuring stick the
 * issue's speed targets are ratios to) in a child process and reads its one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PYTHON = '/usr/bin/python3'; // Debian's python3-torch installs for this one

// From dist/bench/ (compiled) back to the source tree's bench/pytorch/.
const SCRIPT = fileURLToPath(new URL('../../bench/pytorch/simclr_bench.py', import.meta.url));

export interface TorchResult {
  torch: string;
  onednn: string | null;
  mkldnn_enabled: boolean;
  threads: number;
  batch_size: number;
  steps: number;
  warmup: number;
  step_seconds: number[];
  median_step_seconds: number;
  images_per_second: number;
  forward_mflop_per_view: number;
  gflops: number;
  inference_images_per_second: number;
  /** Per second of the process's CPU time (absent from older scripts). */
  inference_images_per_cpu_second?: number;
  peak_rss_gib: number;
  parameters: { encoder: number; head: number; with_bn_statistics: number };
}

export interface TorchRun {
  batchSize: number;
  steps: number;
  warmup: number;
  threads?: number;
  python?: string;
}

/** The reference's figures, or one line saying why there are none. */
export function runTorchReference(run: TorchRun): TorchResult | { skipped: string } {
  const python = run.python ?? DEFAULT_PYTHON;
  if (!existsSync(SCRIPT)) return { skipped: `PyTorch reference skipped: ${SCRIPT} not found` };
  const args = [SCRIPT, '--batch-size', String(run.batchSize), '--steps', String(run.steps), '--warmup', String(run.warmup)];
  if (run.threads !== undefined) args.push('--threads', String(run.threads));
  const child = spawnSync(python, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 20 });
  const install = 'apt-get install python3-torch (Debian/Ubuntu), or --python <a python with torch>';
  if (child.error) return { skipped: `PyTorch reference skipped: cannot run ${python} (${child.error.message}); ${install}` };
  // Exit 3: the script could not import torch.
  if (child.status === 3) return { skipped: `PyTorch reference skipped: torch is not importable by ${python}; ${install}` };
  const last = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0) return { skipped: `PyTorch reference failed (exit ${child.status ?? child.signal}): ${last}` };
  return JSON.parse(last) as TorchResult;
}
