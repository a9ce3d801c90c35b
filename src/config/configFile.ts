import fs from 'node:fs';

/**
 * Reads a `--config` file: a JSON object of options keyed by flag name. Errors name the file
 * and what is wrong with it, in one line.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`--config ${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`--config ${file}: not valid JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`--config ${file}: expected a JSON object of options, e.g. {"epochs": 10}`);
  }
  return value as Record<string, unknown>;
}
