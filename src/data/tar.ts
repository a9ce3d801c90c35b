import { extract } from 'tar-stream';

/** A regular file inside a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array;
}

/**
 * The regular files of an (uncompressed) tar archive, in archive order. tar-stream reads
 * ustar, GNU and pax archives, so long names (pax `path`, GNU `././@LongLink`) come back whole.
 */
export async function tarEntries(archive: Uint8Array, label = 'tar archive'): Promise<TarEntry[]> {
  const reader = extract();
  const files = collectFiles(reader); // starts listening before any byte is written
  reader.end(Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength));
  try {
    return await files;
  } catch (err) {
    throw new Error(`${label}: ${describe((err as Error).message)}`);
  }
}

async function collectFiles(reader: ReturnType<typeof extract>): Promise<TarEntry[]> {
  const files: TarEntry[] = [];
  for await (const entry of reader) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    if (entry.header.type === 'file') files.push({ name: entry.header.name, data: Buffer.concat(chunks) });
  }
  return files;
}

/** tar-stream's messages, said in terms of the archive. */
function describe(message: string): string {
  if (/invalid tar header/i.test(message)) return 'bad tar header (corrupted, or still compressed)';
  if (/unexpected end of data/i.test(message)) return 'truncated (the archive ends inside an entry)';
  return message;
}
