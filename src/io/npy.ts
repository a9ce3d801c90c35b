/**
 * NumPy .npy files (format version 1.0): embeddings that NumPy and PyTorch users read with
 * one call (`numpy.load`). Little-endian, C order. Written atomically; `NpyWriter` streams
 * rows so an embedding matrix larger than memory never has to be held at once.
 */
import fs from 'node:fs/promises';
import { AtomicFile } from './atomic.js';

export type NpyDtype = 'float32' | 'int32' | 'uint8';
export type NpyData = Float32Array | Int32Array | Uint8Array;

const DESCR: Record<NpyDtype, string> = { float32: '<f4', int32: '<i4', uint8: '|u1' };
const DTYPE_OF_DESCR: Record<string, NpyDtype> = { '<f4': 'float32', '<i4': 'int32', '|u1': 'uint8', '<u1': 'uint8' };
const ITEM_BYTES: Record<NpyDtype, number> = { float32: 4, int32: 4, uint8: 1 };
const MAGIC = [0x93, ...Buffer.from('NUMPY')];
/** numpy aligns the data start to 64 bytes (so it can be memory-mapped with any dtype). */
const ALIGN = 64;

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint8Array) return 'uint8';
  throw new Error('npy: data must be a Float32Array, Int32Array or Uint8Array');
}

function elementCount(shape: number[], what: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`${what}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

/** The v1.0 header: magic, version, uint16 LE header length, then the dict padded with
 *  spaces and a final newline so that the data starts at a multiple of 64. */
export function npyHeader(shape: number[], dtype: NpyDtype, minBytes = 0): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = Math.max(MAGIC.length + 2 + 2 + dict.length + 1, minBytes);
  const headerLen = unpadded - (MAGIC.length + 4) + ((ALIGN - (unpadded % ALIGN)) % ALIGN);
  if (headerLen > 0xffff) throw new Error(`npy: shape ${JSON.stringify(shape)} makes the header too long`);
  const out = new Uint8Array(MAGIC.length + 4 + headerLen);
  out.set(MAGIC);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  out.set(Buffer.from(dict.padEnd(headerLen - 1, ' ') + '\n', 'latin1'), 10);
  return out;
}

function bytesOf(data: NpyData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

export async function writeNpy(path: string, data: NpyData, shape: number[]): Promise<void> {
  const dtype = dtypeOf(data);
  const count = elementCount(shape, `npy ${path}`);
  if (count !== data.length) {
    throw new Error(`npy ${path}: shape ${JSON.stringify(shape)} holds ${count} values, data has ${data.length}`);
  }
  const file = await AtomicFile.open(path);
  await file.write(npyHeader(shape, dtype));
  await file.write(bytesOf(data));
  await file.commit();
}

/** Parse the header dict numpy writes (a Python literal; only the keys we need). */
function parseHeaderDict(text: string, path: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`npy ${path}: malformed header ${JSON.stringify(text.trim())}`);
  }
  const dtype = DTYPE_OF_DESCR[descr];
  if (!dtype) throw new Error(`npy ${path}: dtype '${descr}' is not supported (float32, int32, uint8)`);
  if (fortran === 'True') throw new Error(`npy ${path}: Fortran-order arrays are not supported`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`npy ${path}: malformed shape (${shapeText})`);
  }
  return { dtype, shape };
}

export async function readNpy(path: string): Promise<{ data: NpyData; shape: number[]; dtype: NpyDtype }> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(path);
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) throw new Error(`npy ${path}: not a .npy file`);
  const major = bytes[6];
  // v2.0 and v3.0 only widen the header length to 4 bytes (3.0: UTF-8 header).
  const lenBytes = major === 1 ? 2 : major === 2 || major === 3 ? 4 : 0;
  if (lenBytes === 0) throw new Error(`npy ${path}: format version ${major}.${bytes[7]} is not supported`);
  const headerLen = lenBytes === 2 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) throw new Error(`npy ${path}: header is truncated`);
  const { dtype, shape } = parseHeaderDict(bytes.toString('utf8', 8 + lenBytes, dataStart), path);
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * ITEM_BYTES[dtype];
  if (bytes.length - dataStart !== expected) {
    throw new Error(`npy ${path}: expected ${expected} data bytes for shape (${shape}), found ${bytes.length - dataStart}`);
  }
  // Copy: the file buffer's offset need not be aligned for a Float32Array view.
  const raw = bytes.buffer.slice(bytes.byteOffset + dataStart, bytes.byteOffset + bytes.length);
  const data = dtype === 'float32' ? new Float32Array(raw) : dtype === 'int32' ? new Int32Array(raw) : new Uint8Array(raw);
  return { data, shape, dtype };
}

/** Row-count placeholder for a header rewritten on close: as many digits as any real count. */
const UNKNOWN_ROWS_PLACEHOLDER = 999_999_999_999;

/**
 * Streams an array to `path`, a block of rows at a time (rows along the first axis). The file
 * appears only on a successful `close()`. With `shape[0] = -1` the row count is whatever was
 * written (a folder where some images turn out unreadable): the header, written with room for
 * any count, is rewritten in place on close. Otherwise every declared row must be written.
 */
export class NpyWriter {
  private written = 0;

  /** Rows written so far. */
  get rowsWritten(): number {
    return this.written;
  }

  private constructor(
    private readonly file: AtomicFile,
    readonly shape: number[],
    readonly dtype: NpyDtype,
    private readonly rowLength: number,
  ) {}

  static async open(path: string, shape: number[], dtype: NpyDtype = 'float32'): Promise<NpyWriter> {
    if (shape.length === 0) throw new Error(`npy ${path}: streaming needs at least one axis (rows)`);
    const growable = shape[0] === -1;
    elementCount(growable ? [UNKNOWN_ROWS_PLACEHOLDER, ...shape.slice(1)] : shape, `npy ${path}`);
    if (!(dtype in DESCR)) throw new Error(`npy ${path}: dtype '${dtype}' is not supported (float32, int32, uint8)`);
    const file = await AtomicFile.open(path);
    await file.write(npyHeader(growable ? [UNKNOWN_ROWS_PLACEHOLDER, ...shape.slice(1)] : shape, dtype));
    return new NpyWriter(file, shape, dtype, elementCount(shape.slice(1), `npy ${path}`));
  }

  /** Append whole rows (a multiple of the row length, of the writer's dtype). */
  async write(rows: NpyData): Promise<void> {
    const where = `npy ${this.file.target}`;
    if (dtypeOf(rows) !== this.dtype) throw new Error(`${where}: got ${dtypeOf(rows)} rows, file is ${this.dtype}`);
    const n = this.rowLength === 0 ? 0 : rows.length / this.rowLength;
    if (!Number.isInteger(n)) throw new Error(`${where}: ${rows.length} values is not a whole number of rows of ${this.rowLength}`);
    if (this.shape[0] !== -1 && this.rowsWritten + n > this.shape[0]) {
      throw new Error(`${where}: writing ${n} rows would exceed the ${this.shape[0]} declared`);
    }
    await this.file.write(bytesOf(rows));
    this.written += n;
  }

  /** Publish the file; throws (and publishes nothing) unless every declared row was written. */
  async close(): Promise<void> {
    if (this.shape[0] === -1) {
      const placeholder = npyHeader([UNKNOWN_ROWS_PLACEHOLDER, ...this.shape.slice(1)], this.dtype);
      await this.file.writeAt(npyHeader([this.rowsWritten, ...this.shape.slice(1)], this.dtype, placeholder.length), 0);
    } else if (this.rowLength !== 0 && this.rowsWritten !== this.shape[0]) {
      await this.file.abort();
      throw new Error(`npy ${this.file.target}: ${this.rowsWritten} of ${this.shape[0]} rows written; file not created`);
    }
    await this.file.commit();
  }

  /** Give up: nothing is published and the previous file, if any, stays. */
  abort(): Promise<void> {
    return this.file.abort();
  }
}
