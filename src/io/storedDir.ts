/**
 * Reading a directory of stored tensors (a TF.js model or a checkpoint) defensively: every
 * problem is one clear line naming the directory, never a deep TypeError or a silent
 * garbage tensor.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/** Bytes per element of the dtypes a tensor file can hold (string weights are not supported). */
const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

export interface StoredTensorSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'complex64';
}

function isShape(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/** Validate one weight spec (as in a weightsManifest) and return its stored byte length. */
export function specByteLength(spec: unknown, where: string): number {
  const s = spec as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } };
  if (s === null || typeof s !== 'object' || typeof s.name !== 'string') throw new Error(`${where}: a weight spec has no name`);
  if (!isShape(s.shape)) throw new Error(`${where}: weight ${s.name} has an invalid shape ${JSON.stringify(s.shape)}`);
  const dtype = s.quantization ? s.quantization.dtype : s.dtype;
  const bytes = s.quantization ? QUANTIZED_BYTES[String(dtype)] : DTYPE_BYTES[String(dtype)];
  if (bytes === undefined) throw new Error(`${where}: weight ${s.name} has unsupported dtype ${JSON.stringify(dtype)}`);
  return s.shape.reduce((a, b) => a * b, 1) * bytes;
}

/** Resolve a relative file name from a manifest, refusing anything that leaves `dir`. */
export function resolveInside(dir: string, rel: unknown, where: string): string {
  if (typeof rel !== 'string' || rel === '') throw new Error(`${where}: a weight path is not a file name`);
  const full = path.resolve(dir, rel);
  const fromDir = path.relative(path.resolve(dir), full);
  const escapes = fromDir === '..' || fromDir.startsWith(`..${path.sep}`) || path.isAbsolute(fromDir);
  if (path.isAbsolute(rel) || /^[a-zA-Z]:[\\/]/.test(rel) || fromDir === '' || escapes) {
    throw new Error(`${where}: weight path '${rel}' points outside its directory`);
  }
  return full;
}

export async function readFileIn(dir: string, rel: string, where: string): Promise<Buffer> {
  try {
    return await fs.readFile(path.join(dir, rel));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`${where}: ${rel} not found`);
    throw new Error(`${where}: cannot read ${rel}: ${(err as Error).message}`);
  }
}

export async function readJsonIn(dir: string, rel: string, where: string): Promise<unknown> {
  const text = (await readFileIn(dir, rel, where)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: ${rel} is not valid JSON (${(err as Error).message})`);
  }
}
