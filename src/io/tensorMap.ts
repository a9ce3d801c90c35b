/**
 * Named tensors plus JSON metadata in a directory — the checkpoint format:
 *   tensors.json  { format, version, tensors: [{ name, dtype, shape, offset, byteLength }] }
 *   tensors.bin   the tensors' bytes, little-endian, back to back
 *   meta.json     whatever the caller needs to resume (step, optimizer scalars, ...)
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { replaceDirAtomic } from './atomic.js';
import { readFileIn, readJsonIn, specByteLength, type StoredTensorSpec } from './storedDir.js';

const FORMAT = 'simclr-ts-tensor-map';
const VERSION = 1;
const SAVABLE = new Set(['float32', 'int32', 'bool']);

interface IndexEntry extends StoredTensorSpec {
  offset: number;
  byteLength: number;
}

/**
 * Writes `tensors` and `meta` into `dir`, replacing the whole directory atomically: a reader,
 * or a run killed mid-write, sees the previous version or this one. Tensors are not disposed.
 */
export async function saveTensorMap(dir: string, tensors: Record<string, tf.Tensor>, meta: object): Promise<void> {
  const entries: IndexEntry[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t instanceof tf.Tensor)) throw new Error(`tensor map ${dir}: ${name} is not a tensor`);
    if (t.isDisposed) throw new Error(`tensor map ${dir}: tensor ${name} is disposed`);
    if (!SAVABLE.has(t.dtype)) throw new Error(`tensor map ${dir}: tensor ${name} has unsupported dtype ${t.dtype}`);
    const data = (await t.data()) as Float32Array | Int32Array | Uint8Array;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ name, dtype: t.dtype as IndexEntry['dtype'], shape: t.shape, offset, byteLength: bytes.length });
    chunks.push(bytes);
    offset += bytes.length;
  }
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new Error(`tensor map ${dir}: meta must be a JSON object`);
  }
  const metaText = JSON.stringify(meta, null, 2);
  await replaceDirAtomic(dir, async (tmp) => {
    await fs.writeFile(path.join(tmp, 'tensors.bin'), Buffer.concat(chunks));
    await fs.writeFile(path.join(tmp, 'tensors.json'), JSON.stringify({ format: FORMAT, version: VERSION, tensors: entries }) + '\n');
    await fs.writeFile(path.join(tmp, 'meta.json'), metaText + '\n');
  });
}

function validIndex(index: unknown, where: string): IndexEntry[] {
  const idx = index as { format?: unknown; version?: unknown; tensors?: unknown } | null;
  if (idx === null || typeof idx !== 'object' || idx.format !== FORMAT || !Array.isArray(idx.tensors)) {
    throw new Error(`${where}: tensors.json is not a ${FORMAT} index`);
  }
  if (idx.version !== VERSION) throw new Error(`${where}: tensors.json version ${String(idx.version)} is not supported`);
  const seen = new Set<string>();
  let expectedOffset = 0;
  for (const e of idx.tensors as IndexEntry[]) {
    const bytes = specByteLength(e, where);
    if (!SAVABLE.has(e.dtype)) throw new Error(`${where}: tensor ${e.name} has unsupported dtype ${e.dtype}`);
    if (seen.has(e.name)) throw new Error(`${where}: tensor ${e.name} appears twice in tensors.json`);
    seen.add(e.name);
    if (e.offset !== expectedOffset || e.byteLength !== bytes) {
      throw new Error(`${where}: tensors.json entry ${e.name} has offset/byteLength inconsistent with its shape`);
    }
    expectedOffset += bytes;
  }
  return idx.tensors as IndexEntry[];
}

/** Loads what `saveTensorMap` wrote. The caller owns (and disposes) the returned tensors. */
export async function loadTensorMap(dir: string): Promise<{ tensors: Record<string, tf.Tensor>; meta: unknown }> {
  const where = `tensor map ${dir}`;
  const entries = validIndex(await readJsonIn(dir, 'tensors.json', where), where);
  const meta = await readJsonIn(dir, 'meta.json', where);
  const bin = await readFileIn(dir, 'tensors.bin', where);
  const needed = entries.reduce((sum, e) => sum + e.byteLength, 0);
  if (bin.length !== needed) {
    throw new Error(`${where}: tensors.bin holds ${bin.length} bytes, tensors.json needs ${needed} (truncated or mismatched files)`);
  }
  const tensors: Record<string, tf.Tensor> = {};
  for (const e of entries) {
    // Copy: the file buffer's offset need not be aligned for a typed-array view.
    const raw = bin.buffer.slice(bin.byteOffset + e.offset, bin.byteOffset + e.offset + e.byteLength) as ArrayBuffer;
    const values = e.dtype === 'float32' ? new Float32Array(raw) : e.dtype === 'int32' ? new Int32Array(raw) : new Uint8Array(raw);
    tensors[e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return { tensors, meta };
}
