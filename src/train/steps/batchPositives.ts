import type { PairGraph } from '../../data/pairGraph.js';
import type { GroupRelation } from '../../losses/views.js';
import type { StepContext } from './trainStep.js';

/** Where a step's positives beyond the two views of an image come from: classes (--labels) or pairs (--pairs). */
export interface PositiveSource {
  /** Class of every dataset image. */
  labels?: Int32Array;
  /** The pair relation over dataset images. */
  pairs?: PairGraph;
}

/** A batch's positives for the losses: per-image labels, or a relation between batch positions. */
export interface BatchPositives {
  labels?: Int32Array;
  related?: GroupRelation;
}

/** The positives of the step's B images (none beyond their own views without a source). */
export function batchPositives(source: PositiveSource, context: StepContext | undefined): BatchPositives {
  if (!source.labels && !source.pairs) return {};
  if (!context) throw new Error('labelled or paired positives need the step context (which images the views show)');
  if (source.labels) return { labels: batchLabels(source.labels, context) };
  const graph = source.pairs!;
  const images = context.imageIndices;
  for (const i of images) {
    if (!(Number.isInteger(i) && i >= 0 && i < graph.count)) throw new Error(`step ${context.step}: image index ${i} is outside the ${graph.count} paired images`);
  }
  // Without labels the views' groups are batch positions; related positions are paired images.
  return { related: (i, j) => graph.related(images[i], images[j]) };
}

/** The classes of the step's B images, from the dataset's labels and the step's image indices. */
export function batchLabels(labels: Int32Array, context: StepContext | undefined): Int32Array {
  if (!context) throw new Error('labelled positives need the step context (which images the views show)');
  return Int32Array.from(context.imageIndices, (i) => {
    if (!(Number.isInteger(i) && i >= 0 && i < labels.length)) {
      throw new Error(`step ${context.step}: image index ${i} has no label (${labels.length} labelled images)`);
    }
    return labels[i];
  });
}
