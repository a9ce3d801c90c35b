import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { coverGeometry } from '../../src/browser/preprocess.js';

/** Gradients plus checks a sixth of the image wide: a crop one pixel off moves every edge. */
function pattern(width: number, height: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const cell = Math.max(2, Math.round(Math.max(width, height) / 6));
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const o = 3 * (y * width + x);
    px[o] = (x * 255) / Math.max(1, width - 1);
    px[o + 1] = (y * 255) / Math.max(1, height - 1);
    px[o + 2] = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 ? 230 : 20;
  }
  return px;
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

describe("coverGeometry (the browser entry's crop) is sharp's resize(fit: cover)", () => {
  // wide, tall, odd and even margins, up- and down-scaling, already square
  const cases = [[84, 60], [83, 60], [40, 100], [41, 100], [300, 200], [17, 9], [9, 17], [28, 28], [100, 27], [64, 31]];
  it.each(cases)('%i × %i → 28: no crop one pixel over fits sharp better', async (width, height) => {
    const size = 28;
    const src = sharp(pattern(width, height), { raw: { width, height, channels: 3 } });
    const cover = await src.clone().resize(size, size, { fit: 'cover', position: 'centre' }).raw().toBuffer();
    const g = coverGeometry(width, height, size);
    expect(Math.min(g.width, g.height)).toBe(size);
    // sharp scaled to (g.width, g.height) then cropped at (left, top), against the same one pixel over
    const scaled = await src.clone().resize(g.width, g.height, { fit: 'fill' }).raw().toBuffer();
    const crop = (left: number, top: number) => {
      const out = Buffer.alloc(size * size * 3);
      for (let y = 0; y < size; y++) scaled.copy(out, y * size * 3, ((top + y) * g.width + left) * 3, ((top + y) * g.width + left + size) * 3);
      return out;
    };
    const ours = meanAbsDiff(crop(g.left, g.top), cover);
    expect(ours).toBeLessThan(2.5); // what is left: sharp rounds the scaled side, cover does not
    for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const [l, t] = [g.left + dx, g.top + dy];
      if (l < 0 || t < 0 || l + size > g.width || t + size > g.height) continue;
      expect(meanAbsDiff(crop(l, t), cover), `shifted ${dx},${dy}`).toBeGreaterThan(ours + 1);
    }
  });
});
