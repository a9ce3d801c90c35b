import { Rng } from '../../augment/rng.js';
import type { PairGraph } from './pairGraph.js';

/** Key of the pair sampler's RNG stream, apart from the plain image order's Rng.derive(seed, epoch). */
const PAIR_ORDER_KEY = 0x9a1e;
/** Random draws among an image's partners before falling back to a scan (keeps large components O(1)). */
const DRAWS = 16;

/**
 * The image order of an epoch for --pairs: `floor(count / B)` batches of B distinct images,
 * made so that images come with a partner. Images are taken in a seeded shuffled order; each one
 * taken brings a random partner not yet used this epoch, or, when all its partners are used, one
 * already seen this epoch (so it may appear twice in the epoch, never twice in a batch). An image
 * without pairs comes alone, and fills a batch's last slot when one is left over; only when none
 * is left may the last slot hold an image without its partner. A pure function of
 * (graph, B, seed, epoch): a resumed run sees the same batches.
 */
export function pairAwareOrder(graph: PairGraph, batchSize: number, seed: number): (epoch: number) => number[] {
  const count = graph.count;
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= count)) throw new Error(`pairAwareOrder: batch size ${batchSize} for ${count} images`);
  const steps = Math.floor(count / batchSize);
  return (epoch) => {
    const rng = Rng.derive(seed, epoch, PAIR_ORDER_KEY);
    const order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
    const used = new Uint8Array(count);
    // Images without a partner, in the same order: one fills a batch's last slot, so no pair is split.
    const loners = order.filter((i) => graph.partnerCount(i) === 0);
    const out: number[] = [];
    let next = 0;
    let nextLoner = 0;
    for (let s = 0; s < steps; s++) {
      const batch = new Set<number>();
      const take = (i: number) => {
        batch.add(i);
        used[i] = 1;
        out.push(i);
      };
      while (batch.size < batchSize) {
        while (nextLoner < loners.length && used[loners[nextLoner]]) nextLoner++;
        while (used[order[next]]) next++;
        const a = batch.size === batchSize - 1 && nextLoner < loners.length ? loners[nextLoner] : order[next];
        take(a);
        if (batch.size < batchSize) {
          const p = pickPartner(graph.candidates(a), a, (i) => !used[i], rng) ?? pickPartner(graph.candidates(a), a, (i) => !batch.has(i), rng);
          if (p !== undefined) take(p);
        }
      }
    }
    return out;
  };
}

/** A uniformly drawn candidate other than a that passes `ok`, or undefined. */
function pickPartner(candidates: Int32Array, a: number, ok: (i: number) => boolean, rng: Rng): number | undefined {
  if (candidates.length === 0) return undefined;
  for (let t = 0; t < DRAWS; t++) {
    const i = candidates[rng.int(candidates.length)];
    if (i !== a && ok(i)) return i;
  }
  const left = Array.from(candidates).filter((i) => i !== a && ok(i));
  return left.length ? left[rng.int(left.length)] : undefined;
}

/** Share of a batch's images with a partner in the batch (the anchors that have a positive beyond their own other view). */
export function pairedShare(graph: PairGraph, imageIndices: readonly number[]): number {
  if (imageIndices.length === 0) return 0;
  let paired = 0;
  for (let i = 0; i < imageIndices.length; i++) {
    for (let j = 0; j < imageIndices.length; j++) {
      if (i !== j && graph.related(imageIndices[i], imageIndices[j])) {
        paired++;
        break;
      }
    }
  }
  return paired / imageIndices.length;
}
