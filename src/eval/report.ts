import { describeSubset, type LabelSubset } from '../data/labelSubset.js';
import type { LinearProbeResult } from './linearProbe.js';
import type { PairedComparison } from './pairedComparison.js';
import type { PairRetrieval } from './pairRetrieval.js';
import type { RetrievalMetrics } from './retrieval.js';

/** The linear probe and kNN of one feature set trained on a stratified subset of the labels. */
export interface SubsetScores {
  features: string;
  subset: LabelSubset;
  trainImages: number;
  linear: LinearProbeResult;
  knn: { top1: number };
}

/** The scores of one set of features (the encoder's, or a baseline's). */
export interface EvalScores {
  linear: Pick<LinearProbeResult, 'top1' | 'top5'> & Partial<LinearProbeResult>;
  knn: { top1: number };
  retrieval: RetrievalMetrics;
  /** Retrieval of held-out partners (probe --pairs). */
  pairs?: PairRetrieval;
  /** A compared encoder's linear-probe top-1 against each baseline, paired over the same test images. */
  comparisons?: Record<string, PairedComparison>;
}

export interface ProbeReport extends EvalScores {
  encoder: string;
  /** What was scored: the encoder spec, plus the checkpoint step when the run had not finished. */
  source: string;
  features: { train: number; test: number; dim: number };
  linear: LinearProbeResult;
  knn: { top1: number; k: number; temperature: number };
  seconds: number;
  /**
   * The other rows, by name, in order: compared encoders (probe --compare), then `raw` (pixels as
   * features) and `random` (an untrained encoder).
   */
  baselines?: Record<string, EvalScores>;
  /** Linear-probe top-1 of the encoder against each other row's, paired over the same test images. */
  comparisons?: Record<string, PairedComparison>;
  /** With --label-fraction / --per-class: a row per feature set and subset. */
  labelSubsets?: SubsetScores[];
}

/** A one-screen table: one row per feature set, scores in percent. */
export function formatProbeSummary(result: ProbeReport): string {
  const ks = Object.keys(result.retrieval.recallAt).map(Number).sort((a, b) => a - b);
  const header = ['features', 'linear top-1', 'top-5', 'kNN top-1', ...ks.map((k) => `R@${k}`), 'mAP@R'];
  const rows: [string, EvalScores][] = [[result.encoder, result], ...Object.entries(result.baselines ?? {})];
  const table = [
    header,
    ...rows.map(([name, s]) => [
      name,
      percent(s.linear.top1),
      percent(s.linear.top5),
      percent(s.knn.top1),
      ...ks.map((k) => percent(s.retrieval.recallAt[k])),
      percent(s.retrieval.mapAtR),
    ]),
  ];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  const lines = table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  const { features: f, linear, knn } = result;
  return [
    `${result.encoder}: ${f.train} train / ${f.test} test features of dim ${f.dim}, ${result.seconds.toFixed(1)} s`,
    `linear probe λ = ${linear.lambda.toExponential(0)} (held-out top-1 ${percent(linear.valTop1)}%, ${linear.iterations} L-BFGS iterations); ` +
      `kNN k = ${knn.k}, τ = ${knn.temperature}`,
    '',
    ...lines,
    '(all scores in %)',
    ...formatPairTable(rows),
    ...Object.entries(result.comparisons ?? {}).map(([name, c]) => formatComparison(name, c)),
    ...rows.slice(1).flatMap(([name, s]) => Object.entries(s.comparisons ?? {}).map(([baseline, c]) => formatComparison(baseline, c, name))),
    ...(result.labelSubsets ? ['', ...formatSubsetTable(result.labelSubsets)] : []),
  ].join('\n');
}

/** Label subsets: a row per feature set and subset, scored on the whole test set. */
function formatSubsetTable(rows: SubsetScores[]): string[] {
  const header = ['features', 'labels', 'images', 'linear top-1', 'top-5', 'kNN top-1'];
  const table = [header, ...rows.map((r) => [r.features, describeSubset(r.subset), String(r.trainImages), percent(r.linear.top1), percent(r.linear.top5), percent(r.knn.top1)])];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return table.map((r) => r.map((cell, c) => (c <= 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

/** The partner-retrieval table (probe --pairs), or nothing. */
function formatPairTable(rows: [string, EvalScores][]): string[] {
  const first = rows[0][1].pairs;
  if (!first) return [];
  const ks = Object.keys(first.recallAt).map(Number).sort((a, b) => a - b);
  const header = ['held-out pairs', ...ks.map((k) => `R@${k}`), 'MRR'];
  const table = [header, ...rows.filter(([, s]) => s.pairs).map(([name, s]) => [name, ...ks.map((k) => percent(s.pairs!.recallAt[k])), s.pairs!.mrr.toFixed(3)])];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c].length)));
  return [
    '',
    `partner retrieval: ${first.queries} queries (each held-out pair both ways) among all test images; R@k in %`,
    ...table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')),
  ];
}

/** One line: the linear-probe gap of the encoder (or of `encoder`) to another row, its paired 95 % interval and McNemar's p. */
export function formatComparison(baseline: string, c: PairedComparison, encoder?: string): string {
  const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
  const half = 1.96 * c.standardError;
  return `linear top-1${encoder ? `, ${encoder}` : ''} vs ${baseline}: ${points(c.difference)} points (95 % CI ${points(c.difference - half)} to ${points(c.difference + half)}; ` +
    `right only with ${encoder ?? 'the encoder'} ${c.onlyA}, only with ${baseline} ${c.onlyB}; McNemar exact p ${formatP(c.log10PValue)})`;
}

/** A p-value from its log10, readable where the double itself underflows. */
function formatP(log10P: number): string {
  if (log10P >= -4) return `= ${(10 ** log10P).toPrecision(2)}`;
  let exponent = Math.floor(log10P);
  let mantissa = (10 ** (log10P - exponent)).toFixed(1);
  if (mantissa === '10.0') [mantissa, exponent] = ['1.0', exponent + 1];
  return `= ${mantissa}e${exponent}`;
}

function percent(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? '—' : (100 * x).toFixed(2);
}

/**
 * Label subsets side by side: a row per feature set, linear-probe then kNN top-1 (in %) for
 * each subset as a column. `names` renames rows for display (e.g. "raw" → "raw pixels").
 */
export function formatSubsetMatrix(rows: SubsetScores[], names: Record<string, string> = {}): string[] {
  const subsets: string[] = [];
  const byFeatures = new Map<string, Map<string, SubsetScores>>();
  for (const r of rows) {
    const key = subsetColumn(r.subset);
    if (!subsets.includes(key)) subsets.push(key);
    if (!byFeatures.has(r.features)) byFeatures.set(r.features, new Map());
    byFeatures.get(r.features)!.set(key, r);
  }
  const header = ['features', ...subsets, ...subsets];
  const body = [...byFeatures].map(([features, cells]) => [
    names[features] ?? features,
    ...subsets.map((s) => percent(cells.get(s)?.linear.top1)),
    ...subsets.map((s) => percent(cells.get(s)?.knn.top1)),
  ]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(5, ...table.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const group = (title: string, from: number) => title.padEnd(subsets.length * (2 + Math.max(...widths.slice(from, from + subsets.length))));
  const titles = ' '.repeat(widths[0]) + '  ' + group('linear top-1', 1) + group('kNN top-1', 1 + subsets.length);
  return [titles.trimEnd(), ...table.map(line)];
}

function subsetColumn(s: LabelSubset): string {
  if ('fraction' in s) return s.fraction === 1 ? 'all' : `${+(100 * s.fraction).toPrecision(6)} %`;
  return `${s.perClass}/class`;
}
