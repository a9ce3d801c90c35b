/** A regular file inside a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;

/**
 * The regular files of an (uncompressed) ustar/GNU tar archive, as views into `archive`.
 * Enough for dataset archives: long-name (pax/GNU) extension records are not interpreted.
 */
export function* tarEntries(archive: Uint8Array, label = 'tar archive'): Generator<TarEntry> {
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) return; // end-of-archive marker
    if (checksum(header) !== readOctal(header, 148, 8)) throw new Error(`${label}: bad tar header checksum at byte ${offset}`);
    const size = readOctal(header, 124, 12);
    if (!Number.isSafeInteger(size)) throw new Error(`${label}: unsupported tar size field at byte ${offset}`);
    const start = offset + BLOCK;
    if (start + size > archive.length) throw new Error(`${label}: truncated (entry at byte ${offset} needs ${size} bytes)`);
    const type = header[156];
    if (type === 0 || type === 0x30 /* '0' */) {
      const name = readString(header, 0, 100);
      const prefix = readString(header, 257, 6) === 'ustar' ? readString(header, 345, 155) : '';
      yield { name: prefix ? `${prefix}/${name}` : name, data: archive.subarray(start, start + size) };
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (archive.length % BLOCK !== 0) throw new Error(`${label}: truncated (length ${archive.length} is not a multiple of ${BLOCK})`);
}

/** Sum of the header bytes with the checksum field itself counted as spaces. */
function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

function readOctal(header: Uint8Array, start: number, length: number): number {
  const text = readString(header, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function readString(header: Uint8Array, start: number, length: number): string {
  const field = header.subarray(start, start + length);
  const end = field.indexOf(0);
  return Buffer.from(field.subarray(0, end < 0 ? length : end)).toString('utf8');
}
