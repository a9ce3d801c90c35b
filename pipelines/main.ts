#!/usr/bin/env node
import { hideBin } from 'yargs/helpers';
import { buildCli } from './cli.js';

async function main(): Promise<void> {
  try {
    await buildCli(hideBin(process.argv)).parseAsync();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`simclr: ${message.split('\n')[0]}`);
    if (process.env.SIMCLR_DEBUG && err instanceof Error) console.error(err.stack);
    process.exit(1);
  }
}

await main();
