import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../config/packageRoot.js';

/** Linear-probe and kNN top-1 (fractions) of an encoder on one labelled split, with how it was measured. */
export interface CardScores {
  linearTop1: number;
  knnTop1: number;
  /** The same probe's raw-pixel baseline, for reading the figure. */
  rawLinearTop1?: number;
  rawKnnTop1?: number;
  /** What the classifier was fit on and scored on. */
  split: string;
  command: string;
}

/** models/<name>/card.json: what a bundled encoder is, how it was made and what it scores. */
export interface ModelCard {
  name: string;
  summary: string;
  inputSize: number;
  dim: number;
  architecture: { backbone: string; width: number; cifarStem: boolean; projDim: number; projLayers: number };
  data: { name: string; images: number; license: string; source: string };
  training: { command: string; commit: string; steps: number; batchSize: number; backend: string; seconds: number; date: string };
  /** Probe figures: `fashionMnist` on the full test set, `sample` on the bundled sample (what the test re-checks). */
  probe: Record<string, CardScores>;
}

export interface BundledEncoder {
  card: ModelCard;
  /** The encoder directory (model.json, weights, preprocessing.json, card.json). */
  dir: string;
}

/** The folder of bundled encoders: models/ in the package. */
export function bundledModelsDir(): string {
  return path.join(packageRoot(), 'models');
}

/** Every bundled encoder, by name; a folder without a readable card.json is left out. */
export function bundledEncoders(root = bundledModelsDir()): BundledEncoder[] {
  if (!fs.existsSync(root)) return [];
  const found: BundledEncoder[] = [];
  for (const name of fs.readdirSync(root).sort()) {
    const dir = path.join(root, name);
    try {
      const card = JSON.parse(fs.readFileSync(path.join(dir, 'card.json'), 'utf8')) as ModelCard;
      if (card.name === name && fs.existsSync(path.join(dir, 'model.json'))) found.push({ card, dir });
    } catch {
      // not a bundled encoder
    }
  }
  return found;
}

/**
 * What `--encoder` / `--init-from` name: a path that exists is itself; otherwise a bundled
 * encoder's name is its directory under models/. Anything else is returned unchanged (the
 * caller's own error then lists what it accepts).
 */
export function resolveEncoderSpec(spec: string): string {
  if (fs.existsSync(spec)) return spec;
  return bundledEncoders().find((b) => b.card.name === spec)?.dir ?? spec;
}

/** The names for error messages: "bundled: a, b" or nothing. */
export function bundledNamesHint(): string {
  const names = bundledEncoders().map((b) => b.card.name);
  return names.length > 0 ? ` or a bundled encoder (${names.join(', ')}; see \`simclr models\`)` : '';
}
