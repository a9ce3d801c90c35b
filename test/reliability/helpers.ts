import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DIST, REPO } from '../dist.js';

/** The CLI as users run it: the build (test/globalSetup.ts keeps it fresh). */
export const MAIN_JS = path.join(DIST, 'pipelines/main.js');

/** The tiny wasm model every reliability run trains (seconds, not minutes). */
export const TINY_FLAGS = [
  '--backend', 'wasm', '--backbone', 'resnet18', '--width', '0.125', '--image-size', '16', '--batch-size', '8',
  '--proj-dim', '16', '--warmup-epochs', '0', '--log-every', '1', '--workers', '0', '--concurrency', '4',
];

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process ends, with everything it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `node dist/pipelines/main.js <args>` as a child process. */
export function startCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [MAIN_JS, ...args], { cwd: REPO, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export function runCli(args: string[], env: Record<string, string> = {}) {
  return startCli(args, env).done;
}

/** Poll `check` every 20 ms until it is true (or fail after `timeoutMs`). */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Steps recorded in a metrics.jsonl (complete lines only). */
export function loggedSteps(file: string): number[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => (JSON.parse(line) as { step: number }).step);
}
