/**
 * The positive relation of --pairs over dataset images: each row's two images are positives of
 * each other (made symmetric). Not transitive unless built with `closure`, where every image of a
 * connected component is a positive of every other (the relation then is an equivalence).
 */
export class PairGraph {
  /** Images in the dataset (indices 0..count−1). */
  readonly count: number;
  /** Distinct unordered pairs it was built from. */
  readonly pairs: number;
  readonly closure: boolean;
  /** Sorted partners of each image (direct pairs). */
  private readonly neighbours: Int32Array[];
  /** With closure: component id of each paired image (−1 unpaired), and each component's images. */
  private readonly component?: Int32Array;
  private readonly members?: Int32Array[];

  constructor(count: number, pairs: ReadonlyArray<readonly [number, number]>, closure = false) {
    this.count = count;
    this.closure = closure;
    const lists: number[][] = Array.from({ length: count }, () => []);
    const seen = new Set<string>();
    for (const [a, b] of pairs) {
      if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < count && b < count)) {
        throw new Error(`PairGraph: pair (${a}, ${b}) is not within the ${count} images`);
      }
      if (a === b) continue;
      const key = a < b ? `${a},${b}` : `${b},${a}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lists[a].push(b);
      lists[b].push(a);
    }
    this.pairs = seen.size;
    this.neighbours = lists.map((l) => Int32Array.from(l).sort());
    if (closure) {
      this.component = components(this.neighbours);
      const byComponent = new Map<number, number[]>();
      this.component.forEach((c, i) => c >= 0 && (byComponent.get(c) ?? byComponent.set(c, []).get(c)!).push(i));
      this.members = [];
      for (const [c, images] of byComponent) this.members[c] = Int32Array.from(images);
    }
  }

  /** Whether images a ≠ b are positives of each other (an image is always its own). */
  related(a: number, b: number): boolean {
    if (a === b) return true;
    if (this.component) return this.component[a] >= 0 && this.component[a] === this.component[b];
    return binarySearch(this.neighbours[a], b);
  }

  /**
   * The images a is related to: its direct partners, or with closure its whole component, which
   * holds a itself (callers skip it; not copied, as a component may hold thousands of images).
   */
  candidates(a: number): Int32Array {
    if (this.component && this.members) return this.component[a] < 0 ? EMPTY : this.members[this.component[a]];
    return this.neighbours[a];
  }

  /** Number of images a is related to, without building the list. */
  partnerCount(a: number): number {
    if (this.component && this.members) return this.component[a] < 0 ? 0 : this.members[this.component[a]].length - 1;
    return this.neighbours[a].length;
  }

  /** Images with at least one partner. */
  pairedImages(): number {
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.neighbours[i].length > 0) n++;
    return n;
  }
}

/** Connected components by union-find; −1 for images without a pair. */
function components(neighbours: Int32Array[]): Int32Array {
  const parent = Int32Array.from(neighbours, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  neighbours.forEach((list, a) => list.forEach((b) => (parent[find(a)] = find(b))));
  const ids = new Map<number, number>();
  return Int32Array.from(neighbours, (list, i) => {
    if (list.length === 0) return -1;
    const root = find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    return ids.get(root)!;
  });
}

const EMPTY = new Int32Array(0);

function binarySearch(sorted: Int32Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === x) return true;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
