import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

/** An unsigned-byte IDX array (the MNIST format): row-major data with the given dims. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/**
 * Parse an IDX file's bytes, gzipped or not. Header: two zero bytes, the element type
 * (only 0x08, unsigned byte, is used by (Fashion-)MNIST), the number of dims, then each
 * dim as a big-endian uint32. `name` only labels error messages.
 */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (err) {
      throw new Error(`${name}: corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  if (raw.length < 4) throw new Error(`${name}: truncated IDX header (${raw.length} bytes)`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const magic = view.getUint32(0);
  if (raw[0] !== 0 || raw[1] !== 0 || raw[3] === 0) {
    throw new Error(`${name}: not an IDX file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  }
  if (raw[2] !== UBYTE) throw new Error(`${name}: unsupported IDX element type 0x${raw[2].toString(16)} (only unsigned bytes, 0x08)`);
  const rank = raw[3];
  const headerBytes = 4 + 4 * rank;
  if (raw.length < headerBytes) throw new Error(`${name}: truncated IDX header (${raw.length} of ${headerBytes} bytes)`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = raw.length - headerBytes;
  if (actual < expected) throw new Error(`${name}: truncated IDX data (${actual} of ${expected} bytes for dims ${dims.join('×')})`);
  if (actual > expected) throw new Error(`${name}: ${actual - expected} unexpected bytes after the IDX data (dims ${dims.join('×')})`);
  return { dims, data: raw.subarray(headerBytes) };
}

export async function readIdx(file: string): Promise<IdxArray> {
  return parseIdx(await readFile(file), file);
}
