import { describe, expect, it } from 'vitest';
import { inShard, parseShard, shardFromEnv } from '../../src/ablate/shard.js';

describe('shards', () => {
  it('slices are disjoint and together cover the grid, for every shard count', () => {
    const cells = Array.from({ length: 49 }, (_, index) => ({ index }));
    for (const count of [1, 2, 3, 7, 10, 49, 60]) {
      const seen = new Map<number, number>();
      for (let index = 0; index < count; index++) {
        const slice = inShard(cells, { index, count });
        for (const c of slice) seen.set(c.index, (seen.get(c.index) ?? 0) + 1);
        // Balanced: sizes differ by at most one.
        expect(Math.abs(slice.length - 49 / count)).toBeLessThan(1);
      }
      expect([...seen.keys()].sort((a, b) => a - b)).toEqual(cells.map((c) => c.index));
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
    }
  });

  it('parses i/n, 0-based, and rejects the rest', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(() => parseShard('4/4')).toThrow(/0-based/);
    expect(() => parseShard('1/0')).toThrow(/positive/);
    expect(() => parseShard('1-4')).toThrow(/i\/n/);
  });

  it('reads Slurm arrays (from SLURM_ARRAY_TASK_MIN) and Kubernetes indexed jobs', () => {
    expect(shardFromEnv({})).toBeUndefined();
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 2, count: 4 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({ index: 3, count: 4 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '5', SIMCLR_SHARD_COUNT: '7' })).toEqual({ index: 5, count: 7 });
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '5' }, 8)).toEqual({ index: 5, count: 8 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '5' })).toThrow(/--shard-count/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '7', SIMCLR_SHARD_COUNT: '7' })).toThrow(/outside 0..6/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/not a non-negative integer/);
  });
});
