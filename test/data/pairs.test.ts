import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PairGraph } from '../../src/data/pairGraph.js';
import { describePairs, loadPairs, parsePairs, pathIndex, splitRow } from '../../src/data/pairsFile.js';
import { pairAwareOrder, pairedShare } from '../../src/data/pairSampler.js';

const root = '/data/set';
const images = ['cat/a.png', 'cat/b.png', 'dog/c d.png', 'dog/e,f.png', 'g.png'].map((p) => path.join(root, p));
const index = pathIndex(root, images);

describe('pairs files', () => {
  it('splits csv with quoting, tsv and jsonl rows; extra columns are ignored', () => {
    expect(splitRow('cat/a.png,"dog/e,f.png"', 'csv')).toEqual(['cat/a.png', 'dog/e,f.png']);
    expect(splitRow('"say ""hi"".png", b.png , 0.7', 'csv')).toEqual(['say "hi".png', 'b.png']);
    expect(splitRow('"unterminated,b.png', 'csv')).toBeUndefined();
    expect(splitRow('only-one.png', 'csv')).toBeUndefined();
    expect(splitRow('dog/c d.png\tg.png', 'tsv')).toEqual(['dog/c d.png', 'g.png']);
    expect(splitRow('["a.png", "b.png"]', 'jsonl')).toEqual(['a.png', 'b.png']);
    expect(splitRow('{"left": "a.png", "weight": 2, "right": "b.png"}', 'jsonl')).toEqual(['a.png', 'b.png']);
    expect(splitRow('{not json', 'jsonl')).toBeUndefined();
  });

  it('resolves paths relative to --data and counts header, missing, self-pairs, duplicates and malformed rows', () => {
    const text = [
      'first,second', // header: neither is an image
      'cat/a.png,cat/b.png',
      './cat/b.png,cat/a.png', // the same pair reversed, with ./
      'cat/a.png,"dog/e,f.png"',
      'dog/c d.png,cat/../g.png', // normalised
      'cat/a.png,cat/a.png', // self-pair
      'cat/a.png,cat/missing.png',
      '',
      '# a comment',
      'lonely',
    ].join('\n');
    const { pairs, report } = parsePairs(text, 'csv', index);
    expect(pairs).toEqual([[0, 1], [0, 3], [2, 4]]);
    expect(report).toEqual({ rows: 8, pairs: 3, header: true, malformed: 1, notFound: 1, selfPairs: 1, duplicates: 1, missingExamples: ['cat/missing.png'] });
    expect(describePairs(report)).toBe('8 rows: 3 pairs, 1 naming an image not in --data (e.g. cat/missing.png), 1 self-pairs, 1 duplicates, 1 malformed, header row skipped');
  });

  it('resolves a relative --data like the scan gives its paths (relative to the working directory)', () => {
    const relative = pathIndex('data/set', ['data/set/cat/a.png', path.join('data', 'set', 'dog', 'c d.png')]);
    expect(parsePairs('cat/a.png,dog/c d.png', 'csv', relative).pairs).toEqual([[0, 1]]);
  });

  it('a file with no usable pair is one clear error; an unreadable file too', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pairs-'));
    const file = path.join(dir, 'p.tsv');
    writeFileSync(file, 'cat/a.png\tnope.png\ncat/a.png\tcat/a.png\n');
    expect(() => loadPairs(file, root, images)).toThrow(/--pairs .*p\.tsv: no usable pair \(2 rows: 0 pairs, 1 naming an image not in --data \(e\.g\. nope\.png\), 1 self-pairs\)/);
    expect(() => loadPairs(path.join(dir, 'absent.csv'), root, images)).toThrow(/cannot read it \(ENOENT\)/);
    writeFileSync(file, 'cat/a.png\tcat/b.png\n');
    expect(loadPairs(file, root, images).graph.related(1, 0)).toBe(true);
  });
});

describe('PairGraph', () => {
  it('is symmetric and not transitive; closure makes components positives', () => {
    const g = new PairGraph(6, [[0, 1], [2, 1], [1, 0], [4, 4]]);
    expect(g.pairs).toBe(2);
    expect([g.related(0, 1), g.related(1, 0), g.related(1, 2), g.related(0, 2), g.related(3, 4), g.related(4, 4)]).toEqual([true, true, true, false, false, true]);
    expect(g.pairedImages()).toBe(3);
    const closed = new PairGraph(6, [[0, 1], [2, 1], [3, 5]], true);
    expect([closed.related(0, 2), closed.related(2, 0), closed.related(0, 3), closed.related(3, 5), closed.related(4, 3)]).toEqual([true, true, false, true, false]);
    expect(closed.partnerCount(0)).toBe(2);
    expect(() => new PairGraph(3, [[0, 3]])).toThrow(/not within the 3 images/);
  });
});

describe('pairAwareOrder', () => {
  // 40 images: 0..29 in 15 disjoint pairs, 30..39 unpaired.
  const pairs: [number, number][] = Array.from({ length: 15 }, (_, k) => [2 * k, 2 * k + 1]);
  const graph = new PairGraph(40, pairs);

  it('puts each paired image with its partner in the batch, distinct images per batch', () => {
    const order = pairAwareOrder(graph, 8, 7)(0);
    expect(order).toHaveLength(40);
    for (let s = 0; s < 5; s++) {
      const batch = order.slice(8 * s, 8 * s + 8);
      expect(new Set(batch).size).toBe(8);
      for (const i of batch) if (i < 30) expect(batch).toContain(i ^ 1);
    }
    expect(new Set(order).size).toBe(40);
  });

  it('is a function of (seed, epoch): same batches on a second call, others for another epoch or seed', () => {
    const a = pairAwareOrder(graph, 8, 7);
    expect(pairAwareOrder(graph, 8, 7)(3)).toEqual(a(3));
    expect(a(4)).not.toEqual(a(3));
    expect(pairAwareOrder(graph, 8, 8)(3)).not.toEqual(a(3));
  });

  it('reuses a partner already seen when all of an image’s partners are used (star graph)', () => {
    const star = new PairGraph(12, Array.from({ length: 11 }, (_, k) => [0, k + 1] as [number, number]));
    const order = pairAwareOrder(star, 4, 1)(0);
    for (let s = 0; s < 3; s++) {
      const batch = order.slice(4 * s, 4 * s + 4);
      expect(new Set(batch).size).toBe(4);
      expect(pairedShare(star, batch)).toBeGreaterThan(0);
    }
  });

  it('pairedShare counts the images with a partner in the batch', () => {
    expect(pairedShare(graph, [0, 1, 2, 30])).toBe(0.5);
    expect(pairedShare(graph, [31, 32])).toBe(0);
  });
});
