/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 *   uint64 LE length | uint32 LE masked CRC32C(length bytes) | data | uint32 LE masked CRC32C(data)
 */
import { maskedCrc32c } from './crc.js';

const HEADER_BYTES = 12;
const FOOTER_BYTES = 4;

export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.length + FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, HEADER_BYTES);
  view.setUint32(HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
}

export interface ParsedRecords {
  records: Uint8Array[];
  /** Bytes after the last whole record (a writer killed mid-append); 0 for a clean file. */
  truncatedTailBytes: number;
}

/**
 * Split a TFRecord stream into record payloads (views into `bytes`), verifying both CRCs of
 * every record. A CRC mismatch always throws; an incomplete last record throws unless
 * `allowTruncatedTail` (then it is reported in `truncatedTailBytes`).
 */
export function parseRecords(
  bytes: Uint8Array,
  opts: { allowTruncatedTail?: boolean; source?: string } = {},
): ParsedRecords {
  const where = (offset: number) => `${opts.source ?? 'TFRecord stream'}: record at byte ${offset}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    const truncated = (what: string): ParsedRecords => {
      if (opts.allowTruncatedTail) return { records, truncatedTailBytes: remaining };
      throw new Error(`${where(offset)} is truncated (${what})`);
    };
    if (remaining < HEADER_BYTES) return truncated(`${remaining} of ${HEADER_BYTES} header bytes`);
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(bytes.subarray(offset, offset + 8))) {
      throw new Error(`${where(offset)}: length CRC mismatch (corrupt file)`);
    }
    const length = view.getBigUint64(offset, true);
    if (length > BigInt(remaining - HEADER_BYTES - FOOTER_BYTES)) {
      return truncated(`length ${length} but ${remaining - HEADER_BYTES} bytes left`);
    }
    const start = offset + HEADER_BYTES;
    const data = bytes.subarray(start, start + Number(length));
    if (view.getUint32(start + data.length, true) !== maskedCrc32c(data)) {
      throw new Error(`${where(offset)}: data CRC mismatch (corrupt file)`);
    }
    records.push(data);
    offset = start + data.length + FOOTER_BYTES;
  }
  return { records, truncatedTailBytes: 0 };
}
