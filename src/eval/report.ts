import type { LinearProbeResult } from './linearProbe.js';
import type { RetrievalMetrics } from './retrieval.js';

/** The scores of one set of features (the encoder's, or a baseline's). */
export interface EvalScores {
  linear: Pick<LinearProbeResult, 'top1' | 'top5'> & Partial<LinearProbeResult>;
  knn: { top1: number };
  retrieval: RetrievalMetrics;
}

export interface ProbeReport extends EvalScores {
  encoder: string;
  /** What was scored: the encoder spec, plus the checkpoint step when the run had not finished. */
  source: string;
  features: { train: number; test: number; dim: number };
  linear: LinearProbeResult;
  knn: { top1: number; k: number; temperature: number };
  seconds: number;
  /** Reference rows: `raw` (pixels as features), `random` (an untrained encoder). */
  baselines?: { raw?: EvalScores; random?: EvalScores };
}

/** A one-screen table: one row per feature set, scores in percent. */
export function formatProbeSummary(result: ProbeReport): string {
  const ks = Object.keys(result.retrieval.recallAt).map(Number).sort((a, b) => a - b);
  const header = ['features', 'linear top-1', 'top-5', 'kNN top-1', ...ks.map((k) => `R@${k}`), 'mAP@R'];
  const rows: [string, EvalScores][] = [[result.encoder, result]];
  if (result.baselines?.raw) rows.push(['raw', result.baselines.raw]);
  if (result.baselines?.random) rows.push(['random', result.baselines.random]);
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
  ].join('\n');
}

function percent(x: number | undefined): string {
  return x === undefined || Number.isNaN(x) ? '—' : (100 * x).toFixed(2);
}
