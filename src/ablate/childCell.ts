import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { packageRoot } from '../config/packageRoot.js';

/** The compiled CLI that child cells run (`simclr ablate cell …`). */
export function compiledCli(): string {
  const main = path.join(packageRoot(), 'dist', 'pipelines', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`--jobs > 1 runs cells in child processes of ${main}, which is missing: build first (npx tsc -p .)`);
  return main;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Runs `node <cli> ...args` (tfjs's backend is process-global, so parallel cells need their
 * own processes). Its output lines are prefixed with `[tag]`. The child has its own process
 * group, so a terminal's Ctrl-C reaches it once, through the abort (SIGINT: it stops after its
 * current step with a checkpoint), not twice (which means "quit now"). If this process exits
 * first, the child is killed (checkpoints are atomic: the last one stays good).
 * Resolves with the exit code and the child's last output line.
 */
export function runChild(cli: string, args: string[], tag: string, signal?: AbortSignal): Promise<{ code: number; lastLine: string }> {
  if (!exitHookInstalled) {
    process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));
    exitHookInstalled = true;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    let lastLine = '';
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (line.trim()) lastLine = line;
        process.stderr.write(`[${tag}] ${line}\n`);
      });
    }
    const onAbort = () => child.kill('SIGINT');
    signal?.addEventListener('abort', onAbort);
    child.on('error', (err) => {
      running.delete(child);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, sig) => {
      running.delete(child);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code: code ?? (sig ? 128 : 1), lastLine });
    });
  });
}
