import { describe, expect, it } from 'vitest';
import { enumerateCells, gridDimensions, parseOps, parseSweep } from '../../src/ablate/grid.js';

describe('enumerateCells', () => {
  it('gives n² ordered cells, A alone on the diagonal and "A+B" off it, row-major', () => {
    const cells = enumerateCells({ ops: parseOps('crop,color'), sweeps: [] });
    expect(cells.map((c) => c.id)).toEqual(['crop', 'crop+color', 'color+crop', 'color']);
    expect(cells.map((c) => c.overrides.augment)).toEqual(['crop', 'crop+color', 'color+crop', 'color']);
    expect(cells.map((c) => c.coords)).toEqual([['crop', 'crop'], ['crop', 'color'], ['color', 'crop'], ['color', 'color']]);
    expect(cells.map((c) => c.index)).toEqual([0, 1, 2, 3]);
  });

  it('has 49 distinct, stable ids for the seven ops of Figure 5', () => {
    const ops = parseOps('crop,cutout,color,sobel,noise,blur,rotate');
    const cells = enumerateCells({ ops, sweeps: [] });
    expect(cells).toHaveLength(49);
    expect(new Set(cells.map((c) => c.id)).size).toBe(49);
    // Same axes, same ids and order: a re-run, a shard and merge agree on every directory.
    expect(enumerateCells({ ops: [...ops], sweeps: [] }).map((c) => c.id)).toEqual(cells.map((c) => c.id));
    for (const a of ops) for (const b of ops) {
      const cell = cells[ops.indexOf(a) * 7 + ops.indexOf(b)];
      expect(cell.overrides.augment).toBe(a === b ? a : `${a}+${b}`);
    }
  });

  it('takes the Cartesian product of sweeps (outer) and op pairs (inner)', () => {
    const cells = enumerateCells({ ops: parseOps('crop,blur'), sweeps: [parseSweep('color-strength=0.25,1'), parseSweep('temperature=0.1,0.5,1')] });
    expect(cells).toHaveLength(2 * 3 * 4);
    expect(cells[0]).toMatchObject({ id: 'color-strength=0.25__temperature=0.1__crop', overrides: { colorStrength: 0.25, temperature: 0.1, augment: 'crop' } });
    expect(cells[23]).toMatchObject({ id: 'color-strength=1__temperature=1__blur', coords: ['1', '1', 'blur', 'blur'] });
    expect(gridDimensions({ ops: parseOps('crop,blur'), sweeps: [parseSweep('temperature=0.1')] })).toEqual(['temperature', '1st transformation', '2nd transformation']);
  });

  it('a sweep alone gives one cell per value', () => {
    const cells = enumerateCells({ ops: [], sweeps: [parseSweep('color-strength=0.125,0.25,0.5,1')] });
    expect(cells.map((c) => c.id)).toEqual(['color-strength=0.125', 'color-strength=0.25', 'color-strength=0.5', 'color-strength=1']);
    expect(cells.map((c) => c.overrides.colorStrength)).toEqual([0.125, 0.25, 0.5, 1]);
  });

  it('rejects a sweep that conflicts with --ops or repeats an option', () => {
    expect(() => enumerateCells({ ops: ['crop'], sweeps: [parseSweep('augment=crop,color')] })).toThrow(/--ops/);
    expect(() => enumerateCells({ ops: [], sweeps: [parseSweep('lr=1'), parseSweep('lr=2')] })).toThrow(/swept twice/);
  });
});

describe('parseOps / parseSweep', () => {
  it('rejects unknown and repeated ops', () => {
    expect(() => parseOps('crop,zoom')).toThrow(/unknown op "zoom"/);
    expect(() => parseOps('crop,crop')).toThrow(/twice/);
    expect(() => parseOps(' , ')).toThrow(/no op/);
  });

  it('types values by the flag: numbers, booleans, choices', () => {
    expect(parseSweep('batch-size=64,128')).toEqual({ key: 'batchSize', values: [64, 128] });
    expect(parseSweep('cifar-stem=true,false')).toEqual({ key: 'cifarStem', values: [true, false] });
    expect(parseSweep('protocol=paper,symmetric')).toEqual({ key: 'protocol', values: ['paper', 'symmetric'] });
    expect(() => parseSweep('lr=0.1,fast')).toThrow(/"fast" is not a number/);
    expect(() => parseSweep('protocol=paper,other')).toThrow(/not one of/);
    expect(() => parseSweep('colour=1')).toThrow(/unknown option "colour"/);
    expect(() => parseSweep('workers=1,2')).toThrow(/cannot be swept/);
    expect(() => parseSweep('lr')).toThrow(/key=v1,v2/);
    expect(() => parseSweep('lr=1,1')).toThrow(/twice/);
  });
});
