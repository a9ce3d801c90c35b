import fs from 'node:fs';
import { optionNames, optionsFrom, type Command } from '../config/options.js';
import type { PretrainOptions } from '../config/pretrainOptions.js';
import type { Schedule } from '../optim/schedule.js';

/** config.json of a run, as far as resuming and extending it needs. */
export interface RunConfig {
  options: Record<string, unknown>;
  schedule: Schedule & { stepsPerEpoch: number };
  /** Each change of the run's length: where it was made and from/to how many steps. */
  extensions?: { atStep: number; fromSteps: number; toSteps: number; at: string }[];
  [key: string]: unknown;
}

export function readRunConfig(file: string): RunConfig {
  let config: RunConfig;
  try {
    config = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--resume: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!config?.options || !config.schedule) throw new Error(`--resume: ${file} has no options or schedule`);
  return config;
}

/** On --resume these come from the invocation; everything that decides the result from config.json. */
const RESUME_OVERRIDES = ['input', 'operational', 'run'] as const;

/**
 * The options a resumed run trains with: its own, with this invocation's operational ones
 * (backend, workers, data, …), and — when --steps or --epochs is given — a new length.
 */
export function resumedOptions(config: RunConfig, requested: PretrainOptions): PretrainOptions {
  // The invocation decides these entirely: one it leaves unset takes its default, not the run's value.
  const invocation = Object.fromEntries(optionNames('pretrain', RESUME_OVERRIDES).map((name) => [name, requested[name]]));
  const newLength = requested.steps !== undefined || requested.epochs !== undefined;
  const length = newLength ? { steps: requested.steps, epochs: requested.epochs ?? config.options.epochs } : {};
  return { ...optionsFrom('pretrain', { ...config.options, ...invocation, ...length }), out: requested.out };
}

/** A resumed run of another command (fine-tuning): its own options, with this invocation's operational ones; no new length. */
export function resumedRunOptions<T extends { out: string }>(command: Command, config: RunConfig, requested: T): T {
  const record = requested as unknown as Record<string, unknown>;
  const invocation = Object.fromEntries(optionNames(command, RESUME_OVERRIDES).map((name) => [name, record[name]]));
  return { ...optionsFrom(command, { ...config.options, ...invocation }), out: requested.out } as unknown as T;
}
