import type { SkippedFile } from './scan.js';

/** How many files were skipped for each reason. */
export function countByReason(skipped: readonly SkippedFile[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of skipped) counts[s.reason] = (counts[s.reason] ?? 0) + 1;
  return counts;
}

/**
 * One paragraph for the user: the total, the count for each reason (most frequent first) and
 * the first `max` paths, e.g. `3 files skipped (2 corrupt, 1 empty): a.jpg (corrupt), ...`.
 */
export function formatSkipped(skipped: readonly SkippedFile[], max = 5): string {
  if (skipped.length === 0) return 'no files skipped';
  const reasons = Object.entries(countByReason(skipped))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  const shown = skipped.slice(0, max).map((s) => `${s.path} (${s.reason})`);
  if (skipped.length > max) shown.push(`and ${skipped.length - max} more`);
  const noun = skipped.length === 1 ? 'file' : 'files';
  return `${skipped.length} ${noun} skipped (${reasons}): ${shown.join(', ')}`;
}
