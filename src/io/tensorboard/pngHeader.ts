/** Width, height and TensorBoard colorspace of a PNG, read from its IHDR chunk. */
const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** PNG colour type → Summary.Image colorspace (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA). */
const COLORSPACE: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

export function pngHeader(png: Uint8Array): { width: number; height: number; colorspace: number } {
  const isPng = png.length >= 33 && SIGNATURE.every((b, i) => png[i] === b);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (!isPng || String.fromCharCode(...png.subarray(12, 16)) !== 'IHDR') {
    throw new Error('image summary: data is not a PNG');
  }
  const colorspace = COLORSPACE[png[25]];
  if (colorspace === undefined) throw new Error(`image summary: unknown PNG colour type ${png[25]}`);
  return { width: view.getUint32(16), height: view.getUint32(20), colorspace };
}
