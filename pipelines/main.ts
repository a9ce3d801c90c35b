#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { buildCli, UsageError } from './cli.js';

async function main(): Promise<void> {
  try {
    await buildCli(hideBin(process.argv)).parseAsync();
  } catch (err) {
    // Bad input is one clear line and a non-zero exit, never a stack trace.
    const message = err instanceof Error ? err.message : String(err);
    const usage = err instanceof UsageError;
    // yargs spreads one problem over several lines (e.g. "Invalid values:" then the argument, value and choices).
    const line = message.split('\n').map((part) => part.trim()).filter(Boolean).join(' ');
    console.error(`simclr: ${line}${usage ? ' (see: simclr --help)' : ''}`);
    if (process.env.SIMCLR_DEBUG && err instanceof Error) console.error(err.stack);
    process.exit(usage ? 2 : 1);
  }
}

await main();
