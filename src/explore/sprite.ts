import sharp from 'sharp';

/** Largest side of one sprite sheet: TensorBoard's projector reads one sheet of at most 8192². */
export const MAX_SHEET_SIDE = 8192;

export interface SpriteLayout {
  /** Side of one thumbnail (px). */
  thumb: number;
  /** Thumbnails per row of a sheet. */
  cols: number;
  /** Thumbnails per sheet (cols × rows). */
  perSheet: number;
}

/** Sheets of cols × cols thumbnails, filled row by row. */
export function spriteLayout(thumb: number, cols: number): SpriteLayout {
  return { thumb, cols, perSheet: cols * cols };
}

/** The PNG sheets holding n thumbnails (size thumb × thumb × 3 RGB bytes each), row-major. */
export async function spriteSheets(thumbs: readonly Uint8Array[], layout: SpriteLayout): Promise<Buffer[]> {
  const { thumb, cols, perSheet } = layout;
  const sheets: Buffer[] = [];
  for (let first = 0; first < thumbs.length; first += perSheet) {
    const count = Math.min(perSheet, thumbs.length - first);
    const rows = Math.ceil(count / cols);
    const width = Math.min(count, cols) * thumb;
    const height = rows * thumb;
    const pixels = Buffer.alloc(width * height * 3);
    for (let i = 0; i < count; i++) {
      const x0 = (i % cols) * thumb;
      const y0 = Math.floor(i / cols) * thumb;
      const src = thumbs[first + i];
      for (let y = 0; y < thumb; y++) pixels.set(src.subarray(y * thumb * 3, (y + 1) * thumb * 3), ((y0 + y) * width + x0) * 3);
    }
    sheets.push(await sharp(pixels, { raw: { width, height, channels: 3 } }).png().toBuffer());
  }
  return sheets;
}
