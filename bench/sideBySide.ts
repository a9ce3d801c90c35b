/**
 * bench:train's closing table: each simclr-ts case next to the PyTorch reference at the same
 * batch, with the ratios the issue's targets are stated in (simclr-ts ÷ PyTorch).
 */
import type { TorchResult } from './torchReference.js';

/** One simclr-ts case's figures, written by the case's process. */
export interface CaseResult {
  label: string;
  backend: string;
  batchSize: number;
  steps: number;
  warmup: number;
  imagesPerSecond: number;
  gflops: number;
  inferenceImagesPerSecond: number;
  /** Per second of the process's CPU time. */
  inferenceImagesPerCpuSecond?: number;
  forwardMflopPerView: number;
  /** Trainable parameters per model, and all weights with BN moving mean/variance. */
  parameters: { encoder: number; head: number; withBnStatistics: number };
}

const HEADER = ['case', 'backend', 'images/s', 'GFLOP/s', 'inference images/s', 'training ÷ PyTorch', 'inference ÷ PyTorch'];

function ratio(a: number, b: number | undefined): string {
  return b === undefined ? '—' : `${(a / b).toFixed(2)}×`;
}

/** Rows of the table: simclr-ts cases, then one PyTorch row per batch it ran at. */
export function sideBySideRows(results: CaseResult[], references: Map<number, TorchResult>): string[][] {
  const rows = results.map((r) => {
    const ref = references.get(r.batchSize);
    return [
      r.label,
      r.backend,
      r.imagesPerSecond.toFixed(1),
      r.gflops.toFixed(1),
      r.inferenceImagesPerSecond.toFixed(0),
      ratio(r.imagesPerSecond, ref?.images_per_second),
      ratio(r.inferenceImagesPerSecond, ref?.inference_images_per_second),
    ];
  });
  for (const [batch, ref] of references) {
    const backend = `pytorch ${ref.torch}, ${ref.threads} thread${ref.threads === 1 ? '' : 's'}`;
    rows.push([`batch ${batch}`, backend, ref.images_per_second.toFixed(1), ref.gflops.toFixed(1), ref.inference_images_per_second.toFixed(0), '1', '1']);
  }
  return rows;
}

/** One line: do both frameworks build the same model (parameters and forward FLOPs)? */
export function architectureCheck(result: CaseResult, ref: TorchResult): string {
  const p = result.parameters;
  const q = ref.parameters;
  const same = p.encoder === q.encoder && p.head === q.head && p.withBnStatistics === q.with_bn_statistics;
  const sameFlops = Math.abs(result.forwardMflopPerView - ref.forward_mflop_per_view) < 0.05;
  const fmt = (n: number) => n.toLocaleString('en-US');
  return `parameters: simclr-ts encoder ${fmt(p.encoder)} + head ${fmt(p.head)} (${fmt(p.withBnStatistics)} with BN statistics), ` +
    `PyTorch ${fmt(q.encoder)} + ${fmt(q.head)} (${fmt(q.with_bn_statistics)}): ${same ? 'same' : 'DIFFERENT'}; ` +
    `forward ${result.forwardMflopPerView.toFixed(1)} vs ${ref.forward_mflop_per_view.toFixed(1)} MFLOP per view: ${sameFlops ? 'same' : 'DIFFERENT'}`;
}

export function printSideBySide(results: CaseResult[], references: Map<number, TorchResult>): void {
  const rows = [HEADER, ...sideBySideRows(results, references)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  // Text columns left-aligned, figures right-aligned.
  const line = (cells: string[]) =>
    `| ${cells.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  console.log('');
  console.log(line(rows[0]));
  console.log(`|${widths.map((w, c) => (c < 2 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const r of rows.slice(1)) console.log(line(r));
  const first = references.values().next().value;
  if (first !== undefined) console.log(architectureCheck(results[0], first));
}
