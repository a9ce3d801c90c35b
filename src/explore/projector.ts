import fs from 'node:fs/promises';
import path from 'node:path';
import type { Features } from '../eval/features.js';

export interface ProjectorFiles {
  features: Features;
  /** One row per image: file, and class / kNN class when labelled. */
  metadata: { header: string[]; rows: string[][] };
  /** The one sprite sheet (PNG) and its thumbnail side, or none when the images do not fit one. */
  sprite?: { png: Buffer; thumb: number };
}

/**
 * TensorBoard's embedding projector files in `dir`: `tensorboard --logdir <dir>` shows them
 * (projector_config.pbtxt, tensors.tsv, metadata.tsv, sprite.png).
 */
export async function writeProjector(dir: string, files: ProjectorFiles): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const { n, dim, data } = files.features;
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(Array.from(data.subarray(i * dim, (i + 1) * dim), (v) => v.toPrecision(9)).join('\t')); // 9 digits: float32 round-trips exactly
  await fs.writeFile(path.join(dir, 'tensors.tsv'), lines.join('\n') + '\n');
  const clean = (s: string) => s.replace(/[\t\n\r]/g, ' ');
  const { header, rows } = files.metadata;
  // a single column has no header line in the projector's format
  const meta = [...(header.length > 1 ? [header.join('\t')] : []), ...rows.map((r) => r.map(clean).join('\t'))];
  await fs.writeFile(path.join(dir, 'metadata.tsv'), meta.join('\n') + '\n');
  let config = `embeddings {\n  tensor_name: "h"\n  tensor_shape: ${n}\n  tensor_shape: ${dim}\n  tensor_path: "tensors.tsv"\n  metadata_path: "metadata.tsv"\n`;
  if (files.sprite) {
    await fs.writeFile(path.join(dir, 'sprite.png'), files.sprite.png);
    config += `  sprite {\n    image_path: "sprite.png"\n    single_image_dim: ${files.sprite.thumb}\n    single_image_dim: ${files.sprite.thumb}\n  }\n`;
  }
  await fs.writeFile(path.join(dir, 'projector_config.pbtxt'), config + '}\n');
}
