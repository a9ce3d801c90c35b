import path from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { heatmapPng, heatmapSvg } from './heatmap.js';
import { collectResults, MATRIX_METRIC, resultsCsv, resultsMarkdown, resultsMatrix, type GridResults } from './results.js';

/**
 * results.csv, results.md, heatmap.svg and heatmap.png from whatever cells of the grid are
 * finished; each file written atomically, so a reader (or another shard) never sees half of one.
 */
export async function writeGridResults(gridDir: string): Promise<GridResults> {
  const results = collectResults(gridDir);
  const svg = heatmapSvg(resultsMatrix(results), MATRIX_METRIC.label);
  await writeFileAtomic(path.join(gridDir, 'results.csv'), resultsCsv(results));
  await writeFileAtomic(path.join(gridDir, 'results.md'), resultsMarkdown(results));
  await writeFileAtomic(path.join(gridDir, 'heatmap.svg'), svg);
  await writeFileAtomic(path.join(gridDir, 'heatmap.png'), await heatmapPng(svg));
  return results;
}
