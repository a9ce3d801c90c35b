import sharp from 'sharp';
import type { Matrix } from './results.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const CHAR_W = 7.5; // average advance of 13 px sans-serif, for sizing margins
const CELL_H = 36;
const GAP = 10; // between the matrix and the mean column

/**
 * The matrix as an SVG heatmap (values written in the cells, row means in a last column, like
 * the paper's Figure 5). Colours run from light (lowest value) to dark blue (highest).
 */
export function heatmapSvg(m: Matrix, title: string): string {
  const cellW = Math.max(58, Math.ceil(CHAR_W * Math.max(...m.cols.map((c) => c.length), 4)) + 14);
  const rowLabelW = Math.ceil(CHAR_W * Math.max(...m.rows.map((r) => r.length), 4)) + 16;
  const left = rowLabelW + (m.rowTitle ? 24 : 0);
  const top = 40 + (m.colTitle ? 22 : 0) + 22;
  const width = left + cellW * (m.cols.length + 1) + GAP + 12;
  const height = top + CELL_H * m.rows.length + 12;
  const present = [...m.values.flat(), ...m.rowMeans].filter((v): v is number => v !== undefined);
  const lo = present.length ? Math.min(...present) : 0;
  const hi = present.length ? Math.max(...present) : 1;
  const range = present.length ? ` (${lo.toFixed(1)}–${hi.toFixed(1)})` : '';

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${xml(title + range)}</text>`,
  ];
  if (m.colTitle) out.push(`<text x="${left + (cellW * m.cols.length) / 2}" y="${top - 30}" text-anchor="middle" font-style="italic">${xml(m.colTitle)}</text>`);
  if (m.rowTitle) {
    const cy = top + (CELL_H * m.rows.length) / 2;
    out.push(`<text x="16" y="${cy}" text-anchor="middle" font-style="italic" transform="rotate(-90 16 ${cy})">${xml(m.rowTitle)}</text>`);
  }
  const colX = (c: number) => left + cellW * c + (c === m.cols.length ? GAP : 0);
  [...m.cols, 'mean'].forEach((label, c) => {
    out.push(`<text class="col-label" x="${colX(c) + cellW / 2}" y="${top - 8}" text-anchor="middle" font-weight="bold">${xml(label)}</text>`);
  });
  m.rows.forEach((label, r) => {
    const y = top + CELL_H * r;
    out.push(`<text class="row-label" x="${left - 8}" y="${y + CELL_H / 2 + 4.5}" text-anchor="end" font-weight="bold">${xml(label)}</text>`);
    [...m.values[r], m.rowMeans[r]].forEach((v, c) => {
      const x = colX(c);
      const kind = c === m.cols.length ? 'mean' : 'cell';
      const id = kind === 'cell' ? ` data-row="${xml(label)}" data-col="${xml(m.cols[c])}"` : '';
      if (v === undefined) {
        out.push(`<rect class="missing" x="${x}" y="${y}" width="${cellW}" height="${CELL_H}" fill="#eeeeee" stroke="#ffffff"/>`);
        out.push(`<text class="missing" x="${x + cellW / 2}" y="${y + CELL_H / 2 + 4.5}" text-anchor="middle" fill="#999999">—</text>`);
        return;
      }
      const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      out.push(`<rect class="${kind}"${id} x="${x}" y="${y}" width="${cellW}" height="${CELL_H}" fill="${blues(t)}" stroke="#ffffff"/>`);
      out.push(`<text class="${kind}-value" x="${x + cellW / 2}" y="${y + CELL_H / 2 + 4.5}" text-anchor="middle" fill="${t > 0.55 ? '#ffffff' : '#000000'}">${v.toFixed(1)}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** PNG of the SVG at twice its size, rendered by sharp (librsvg). */
export async function heatmapPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg), { density: 144 }).png().toBuffer();
}

/** A light-to-dark blue ramp (ColorBrewer "Blues" end points), t in [0, 1]. */
function blues(t: number): string {
  const from = [222, 235, 247];
  const to = [8, 48, 107];
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * Math.min(1, Math.max(0, t))));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
