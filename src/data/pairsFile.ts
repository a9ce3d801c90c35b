import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PairGraph } from './pairGraph.js';

/** What reading a --pairs file found; every row is counted once, under the first reason it fails. */
export interface PairsReport {
  rows: number;
  /** Distinct usable pairs. */
  pairs: number;
  /** A first row whose two fields are not images of --data (column names). */
  header: boolean;
  /** Rows without two path fields (or JSON lines that do not parse into two strings). */
  malformed: number;
  /** Rows naming an image that is not among the --data images. */
  notFound: number;
  selfPairs: number;
  /** Rows repeating a pair already read, in either order. */
  duplicates: number;
  /** Up to 3 paths that were not found, for the message. */
  missingExamples: string[];
}

export interface LoadedPairs {
  graph: PairGraph;
  /** The distinct pairs as dataset indices, in file order. */
  pairs: [number, number][];
  report: PairsReport;
}

/**
 * Reads a pairs file (.csv, .tsv or .jsonl; see splitRow) whose rows name two images by path
 * relative to `root` (--data; `where` names it in messages), and builds the relation over `imagePaths` (the dataset's paths,
 * in dataset order). Bad rows are counted, not fatal; a file with no usable pair is one error.
 */
export function loadPairs(file: string, root: string, imagePaths: readonly string[], closure = false, where = '--data'): LoadedPairs {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--pairs ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const { pairs, report } = parsePairs(text, formatOf(file), pathIndex(root, imagePaths));
  if (pairs.length === 0) throw new Error(`--pairs ${file}: no usable pair (${describePairs(report, where)})`);
  return { graph: new PairGraph(imagePaths.length, pairs, closure), pairs, report };
}

export type PairsFormat = 'csv' | 'tsv' | 'jsonl';

export function formatOf(file: string): PairsFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.tsv' || ext === '.txt') return 'tsv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return 'csv';
}

/** Dataset index by normalised path relative to root. */
export function pathIndex(root: string, imagePaths: readonly string[]): Map<string, number> {
  const base = path.resolve(root);
  // Dataset paths are as the scan made them, path.join(root, …): relative to the working directory when root is.
  return new Map(imagePaths.map((p, i) => [normalise(path.relative(base, path.resolve(p))), i]));
}

/** Rows of the file → distinct dataset-index pairs, with the counts of what was dropped. */
export function parsePairs(text: string, format: PairsFormat, index: ReadonlyMap<string, number>): { pairs: [number, number][]; report: PairsReport } {
  const report: PairsReport = { rows: 0, pairs: 0, header: false, malformed: 0, notFound: 0, selfPairs: 0, duplicates: 0, missingExamples: [] };
  const pairs: [number, number][] = [];
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    report.rows++;
    const fields = splitRow(line, format);
    if (!fields) {
      report.malformed++;
      continue;
    }
    const [a, b] = fields.map((f) => index.get(normalise(f)));
    if (a === undefined || b === undefined) {
      if (report.rows === 1 && a === undefined && b === undefined && format !== 'jsonl') {
        report.header = true;
        continue;
      }
      report.notFound++;
      for (const [i, f] of fields.entries()) if ((i === 0 ? a : b) === undefined && report.missingExamples.length < 3) report.missingExamples.push(f);
      continue;
    }
    if (a === b) {
      report.selfPairs++;
      continue;
    }
    const key = a < b ? `${a},${b}` : `${b},${a}`;
    if (seen.has(key)) {
      report.duplicates++;
      continue;
    }
    seen.add(key);
    pairs.push([a, b]);
  }
  report.pairs = pairs.length;
  return { pairs, report };
}

/**
 * The two paths of a row, or undefined when it has fewer than two. csv: comma-separated with
 * RFC 4180 quoting ("a, b.png" and "" for a quote); tsv: tab-separated; jsonl: ["a", "b"] or an
 * object whose first two string values are the paths ({"a": …, "b": …}). Further columns (a
 * weight, a date) are ignored.
 */
export function splitRow(line: string, format: PairsFormat): [string, string] | undefined {
  let fields: string[] | undefined;
  if (format === 'jsonl') fields = jsonFields(line);
  else if (format === 'tsv') fields = line.split('\t');
  else fields = csvFields(line);
  if (!fields) return undefined;
  const [a, b] = fields.map((f) => f.trim());
  return a && b ? [a, b] : undefined;
}

function jsonFields(line: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [];
  const strings = items.filter((v): v is string => typeof v === 'string');
  return Array.isArray(value) && strings.length !== items.length ? undefined : strings;
}

/** One CSV line; undefined for an unterminated quote. */
function csvFields(line: string): string[] | undefined {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  if (quoted) return undefined;
  fields.push(field);
  return fields;
}

/** a/./b.png, a\\b.png, ./a/b.png → a/b.png. */
function normalise(p: string): string {
  return path.posix.normalize(p.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
}

/** "120 rows: 100 pairs, 5 not found (e.g. x.png), 2 self-pairs, 3 duplicates, 1 malformed, header skipped". */
export function describePairs(r: PairsReport, where = '--data'): string {
  const parts = [`${r.pairs} pairs`];
  if (r.notFound) parts.push(`${r.notFound} naming an image not in ${where}${r.missingExamples.length ? ` (e.g. ${r.missingExamples.join(', ')})` : ''}`);
  if (r.selfPairs) parts.push(`${r.selfPairs} self-pairs`);
  if (r.duplicates) parts.push(`${r.duplicates} duplicates`);
  if (r.malformed) parts.push(`${r.malformed} malformed`);
  if (r.header) parts.push('header row skipped');
  return `${r.rows} rows: ${parts.join(', ')}`;
}
