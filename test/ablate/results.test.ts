import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enumerateCells, parseOps, parseSweep, type GridAxes } from '../../src/ablate/grid.js';
import { cellDir, claimGridDir, type TrainingOptions } from '../../src/ablate/gridFile.js';
import { heatmapSvg } from '../../src/ablate/heatmap.js';
import { collectResults, resultsMatrix } from '../../src/ablate/results.js';
import { writeGridResults } from '../../src/ablate/writeResults.js';
import { PRETRAIN_DEFAULTS } from '../../src/config/pretrainOptions.js';
import { tempDir } from '../pipelines/tinyData.js';

let root: string;
beforeAll(async () => {
  root = await tempDir('simclr-ablate-results-');
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const base = { ...PRETRAIN_DEFAULTS, data: 'unlabelled', protocol: 'paper' } as unknown as TrainingOptions;
const probeSetup = { train: 'train', test: 'test', k: 20 };

/** A grid directory whose cells `finished` have a probe.json with the given linear top-1. */
async function fakeGrid(name: string, axes: GridAxes, finished: Record<string, number>, failed: Record<string, string> = {}): Promise<string> {
  const dir = path.join(root, name);
  await claimGridDir(dir, { axes, base, probe: probeSetup });
  for (const cell of enumerateCells(axes)) {
    const cd = cellDir(dir, cell);
    fs.mkdirSync(cd, { recursive: true });
    if (cell.id in failed) fs.writeFileSync(path.join(cd, 'cell.json'), JSON.stringify({ seconds: 3, error: failed[cell.id] }));
    if (!(cell.id in finished)) continue;
    const top1 = finished[cell.id];
    const probe = { linear: { top1, top5: 0.99, lambda: 1e-3, valTop1: top1 - 0.01, iterations: 10 }, knn: { top1: top1 / 2, k: 20, temperature: 0.07 }, retrieval: { recallAt: { 1: 0.5, 5: 0.75 }, mapAtR: 0.25 } };
    fs.writeFileSync(path.join(cd, 'probe.json'), JSON.stringify(probe));
    fs.writeFileSync(path.join(cd, 'cell.json'), JSON.stringify({ seconds: 12.34 }));
    fs.writeFileSync(path.join(cd, 'config.json'), JSON.stringify({ schedule: { totalSteps: 7 } }));
  }
  return dir;
}

/** Tags open and close in order (a small XML well-formedness check: enough for our own SVG). */
function balancedTags(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (m[3] === '/') continue;
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]);
  }
  return stack.length === 0 && !/&(?!amp;|lt;|gt;|quot;)/.test(svg);
}

describe('grid results', () => {
  const ops: GridAxes = { ops: parseOps('crop,color'), sweeps: [] };

  it('merges the finished cells and lists the missing ones, with the failure reason', async () => {
    const dir = await fakeGrid('merge', ops, { crop: 0.5, 'crop+color': 0.8, color: 0.3 }, { 'color+crop': 'step 3: loss is not finite' });
    const results = collectResults(dir);
    expect(results.done.map((r) => r.cell.id)).toEqual(['crop', 'crop+color', 'color']);
    expect(results.missing).toEqual([{ cell: expect.objectContaining({ id: 'color+crop' }), error: 'step 3: loss is not finite' }]);

    await writeGridResults(dir);
    const csv = fs.readFileSync(path.join(dir, 'results.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('cell,1st transformation,2nd transformation,augment,linear_top1,linear_top5,linear_val_top1,knn_top1,recall_at_1,recall_at_5,map_at_r,steps,seconds');
    expect(csv).toHaveLength(4);
    expect(csv[2]).toBe('crop+color,crop,color,crop+color,0.8000,0.9900,0.7900,0.4000,0.5000,0.7500,0.2500,7,12.3');

    const md = fs.readFileSync(path.join(dir, 'results.md'), 'utf8');
    // Rows: 1st op; columns: 2nd op, then the mean of the row's finished cells.
    expect(md).toContain('| **crop** | 50.0 | 80.0 | 65.0 |');
    expect(md).toContain('| **color** | — | 30.0 | 30.0 |');
    expect(md).toMatch(/Missing \(1\): color\+crop \(failed: step 3/);
    for (const f of ['heatmap.svg', 'heatmap.png']) expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
  });

  it('draws one coloured, labelled cell per result in a well-formed SVG, and renders it to PNG', async () => {
    const dir = await fakeGrid('svg', ops, { crop: 0.5, 'crop+color': 0.8, color: 0.3 });
    await writeGridResults(dir);
    const svg = fs.readFileSync(path.join(dir, 'heatmap.svg'), 'utf8');
    expect(balancedTags(svg)).toBe(true);
    const cells = [...svg.matchAll(/<rect class="cell" data-row="([^"]+)" data-col="([^"]+)"[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => [m[1], m[2], m[3]]);
    expect(cells.map(([r, c]) => `${r}/${c}`)).toEqual(['crop/crop', 'crop/color', 'color/color']);
    expect(new Set(cells.map(([, , fill]) => fill)).size).toBe(3); // different values, different colours
    const values = [...svg.matchAll(/<text class="cell-value"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect(values).toEqual(['50.0', '80.0', '30.0']);
    expect([...svg.matchAll(/class="missing"/g)]).toHaveLength(2); // rect + dash for color+crop
    for (const label of ['crop', 'color', 'mean', '1st transformation', '2nd transformation']) expect(svg).toContain(`>${label}<`);
    const meta = await sharp(path.join(dir, 'heatmap.png')).metadata();
    const width = Number(/width="(\d+(\.\d+)?)"/.exec(svg)![1]);
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(2 * width);
  });

  it('escapes labels and shows a 1-D sweep as a single row', () => {
    const sweep: GridAxes = { ops: [], sweeps: [parseSweep('color-strength=0.25,0.5')] };
    const cells = enumerateCells(sweep);
    const fake = { linear: { top1: 0.6 }, knn: { top1: 0.5 }, retrieval: { recallAt: {}, mapAtR: 0 } };
    const m = resultsMatrix({ grid: {} as never, dims: ['color-strength'], cells, done: [{ cell: cells[1], recipe: 'x', probe: fake as never }], missing: [{ cell: cells[0] }] });
    expect(m.rows).toEqual(['linear top-1 (%)']);
    expect(m.cols).toEqual(['0.25', '0.5']);
    expect(m.values).toEqual([[undefined, 60]]);
    expect(m.rowMeans).toEqual([60]);
    const svg = heatmapSvg({ ...m, cols: ['a<b', 'c&d'] }, 'x "y"');
    expect(balancedTags(svg)).toBe(true);
    expect(svg).toContain('a&lt;b');
    expect(svg).toContain('c&amp;d');
  });

  it('refuses a different grid in the same directory, naming what differs', async () => {
    const dir = await fakeGrid('claim', ops, {});
    await expect(claimGridDir(dir, { axes: ops, base, probe: probeSetup })).resolves.toBeUndefined();
    await expect(claimGridDir(dir, { axes: { ops: parseOps('crop,blur'), sweeps: [] }, base, probe: probeSetup })).rejects.toThrow(/different grid \(differs in: axes\.ops\)/);
    await expect(claimGridDir(dir, { axes: ops, base: { ...base, seed: 1 }, probe: probeSetup })).rejects.toThrow(/base\.seed/);
  });
});
