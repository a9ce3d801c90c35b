import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildCli, UsageError } from '../../pipelines/cli.js';
import { tempDir } from './tinyData.js';

let root: string;
beforeAll(async () => {
  root = await tempDir('simclr-cli-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Parses without running a pipeline: every test here fails before a command body runs, or asks for help. */
async function run(argv: string[]): Promise<{ error?: Error; output: string }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const err = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    await buildCli(argv).parseAsync();
    return { output: lines.join('\n') };
  } catch (error) {
    return { error: error as Error, output: lines.join('\n') };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe('simclr CLI', () => {
  it.each(['pretrain', 'probe', 'embed', 'export', 'data', 'demo'])('has --help for %s', async (command) => {
    const { error, output } = await run([command, '--help']);
    expect(error).toBeUndefined();
    expect(output).toContain(`simclr ${command}`);
  });

  it('rejects unknown flags and missing required ones as usage errors', async () => {
    const unknown = await run(['pretrain', '--data', 'x', '--bogus', '1']);
    expect(unknown.error).toBeInstanceOf(UsageError);
    expect(unknown.error!.message).toMatch(/Unknown argument: bogus/);
    const missing = await run(['probe', '--train', 'a', '--test', 'b']);
    expect(missing.error).toBeInstanceOf(UsageError);
    expect(missing.error!.message).toMatch(/encoder/);
    const choice = await run(['pretrain', '--data', 'x', '--backbone', 'vgg']);
    expect(choice.error!.message).toMatch(/Invalid values/);
    const pixels = await run(['pretrain', '--data', 'x', '--max-pixels', '-5', '--out', path.join(root, 'r0')]);
    expect(pixels.error!.message).toMatch(/--max-pixels must be a positive integer/);
  });

  it('takes options from --config, with command-line flags winning, and rejects unknown keys in it', async () => {
    const config = path.join(root, 'c.json');
    fs.writeFileSync(config, JSON.stringify({ data: '/definitely/missing', 'batch-size': 1 }));
    // batch-size 1 from the file fails validation before any work starts: the file was read.
    const fromFile = await run(['pretrain', '--config', config, '--out', path.join(root, 'r1')]);
    expect(fromFile.error!.message).toMatch(/--batch-size must be at least 2/);
    const overridden = await run(['pretrain', '--config', config, '--batch-size', '0', '--out', path.join(root, 'r2')]);
    expect(overridden.error!.message).toMatch(/--batch-size must be a positive integer, got 0/);

    const bad = path.join(root, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ data: 'x', bogusKey: 3 }));
    expect((await run(['pretrain', '--config', bad])).error!.message).toMatch(/bogus/i);
    fs.writeFileSync(bad, '{"data": ');
    expect((await run(['pretrain', '--config', bad])).error!.message).toMatch(/not valid JSON/);
    expect((await run(['pretrain', '--config', path.join(root, 'none.json')])).error!.message).toMatch(/cannot read it/);
  });
});
