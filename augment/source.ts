/**
 * Where the two-view stage reads source images from. Both forms hold images already
 * decoded-and-resized (or decodable) to a square `size` × `size` RGB cache resolution.
 */
export type ViewSource =
  /** Decoded cache: count × size × size × 3 RGB bytes. Back `pixels` by a SharedArrayBuffer
   *  so augmentation workers read it without a copy. */
  | { kind: 'memory'; size: number; count: number; pixels: Uint8Array }
  /** Streaming: each image decoded from disk when needed (datasets larger than the cache). */
  | { kind: 'files'; size: number; paths: string[]; maxPixels?: number };

export function sourceCount(source: ViewSource): number {
  return source.kind === 'memory' ? source.count : source.paths.length;
}
