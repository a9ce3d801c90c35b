import path from 'node:path';
import { bundledEncoders, type BundledEncoder } from '../src/run/bundledEncoders.js';

/** `simclr models`: the bundled encoders, one block each — what it is, what it scores, how it was made. */
export function formatModels(models: BundledEncoder[] = bundledEncoders(), cwd = process.cwd()): string {
  if (models.length === 0) return 'no bundled encoders in this installation (models/ is empty)';
  const pct = (x: number | undefined) => (x === undefined ? '—' : (100 * x).toFixed(2));
  return models
    .map(({ card, dir }) => {
      const a = card.architecture;
      const t = card.training;
      const lines = [
        `${card.name}  (--encoder ${card.name}; files: ${path.relative(cwd, dir) || '.'})`,
        `  ${card.summary}`,
        `  ${a.backbone}${a.cifarStem ? ' (CIFAR stem)' : ''}, width ${a.width}, input ${card.inputSize}×${card.inputSize}×3 → h of ${card.dim}`,
        `  trained: ${t.steps} steps × batch ${t.batchSize} on ${card.data.name} (${card.data.images} images, labels unused), ${t.backend}, ${(t.seconds / 60).toFixed(0)} min, ${t.date}, commit ${t.commit.slice(0, 10)}`,
        `  command: ${t.command}`,
      ];
      for (const s of Object.values(card.probe)) {
        const raw = s.rawLinearTop1 === undefined ? '' : ` (raw pixels ${pct(s.rawLinearTop1)} / ${pct(s.rawKnnTop1)})`;
        lines.push(`  ${s.split}: linear top-1 ${pct(s.linearTop1)}, kNN top-1 ${pct(s.knnTop1)}${raw}`);
      }
      lines.push(`  data licence: ${card.data.license}`);
      return lines.join('\n');
    })
    .join('\n\n');
}
