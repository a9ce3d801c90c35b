import pLimit from 'p-limit';
import { decodeToRgb } from './decode.js';
import { fromRgbBytes, type RgbImage } from './image.js';
import { twoViewRecipes, type Recipe, type ViewProtocol } from './recipe.js';
import { Rng } from './rng.js';
import type { ViewSource } from './source.js';
import { makeView } from './view.js';

/** Everything needed to make views; structured-cloneable, so it is also a worker's workerData. */
export interface ViewMakerConfig {
  source: ViewSource;
  recipe: string;
  imageSize: number;
  colorStrength?: number;
  protocol?: ViewProtocol;
  seed: number;
  /** Concurrent decodes for a 'files' source. */
  concurrency: number;
}

/** Part of one step's batch: source image `indices[k]` sits at batch position `positions[k]`. */
export interface ViewJob {
  step: number;
  batchSize: number;
  positions: number[];
  indices: number[];
}

/**
 * Makes both views of some images of a step and writes them into the [2B, S, S, 3] batch:
 * view v of batch position i goes to row v·B + i. Each view's randomness comes only from
 * (seed, step, position, view), so who makes it, and when, never changes it.
 */
export class ViewMaker {
  private readonly recipes: [Recipe, Recipe];
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly config: ViewMakerConfig) {
    this.recipes = twoViewRecipes(config.recipe, config);
    this.limit = pLimit(config.concurrency);
  }

  async write(job: ViewJob, out: Float32Array): Promise<void> {
    const viewLength = this.config.imageSize * this.config.imageSize * 3;
    await Promise.all(
      job.indices.map(async (index, k) => {
        const src = await this.load(index);
        const position = job.positions[k];
        for (let v = 0; v < 2; v++) {
          const view = makeView(src, this.recipes[v], Rng.derive(this.config.seed, job.step, position, v));
          out.set(view.data, (v * job.batchSize + position) * viewLength);
        }
      }),
    );
  }

  private async load(index: number): Promise<RgbImage> {
    const source = this.config.source;
    const n = source.size * source.size * 3;
    if (source.kind === 'memory') return fromRgbBytes(source.pixels.subarray(index * n, (index + 1) * n), source.size, source.size);
    const bytes = await this.limit(() => decodeToRgb(source.paths[index], source.size, { maxPixels: source.maxPixels }));
    return fromRgbBytes(bytes, source.size, source.size);
  }
}
