import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../../src/eval/lbfgs.js';

describe('minimizeLbfgs', () => {
  it('finds the closed-form minimiser of a convex quadratic', () => {
    // f = ½xᵀAx − bᵀx, A = [[4, 1], [1, 3]], b = [1, 2]  ⇒  x* = A⁻¹b = [1, 7] / 11
    const f = (x: Float64Array) => ({
      value: 0.5 * (4 * x[0] * x[0] + 2 * x[0] * x[1] + 3 * x[1] * x[1]) - x[0] - 2 * x[1],
      gradient: Float64Array.from([4 * x[0] + x[1] - 1, x[0] + 3 * x[1] - 2]),
    });
    const r = minimizeLbfgs(f, new Float64Array(2), { gradTol: 1e-10, tol: 0 });
    expect(r.x[0]).toBeCloseTo(1 / 11, 8);
    expect(r.x[1]).toBeCloseTo(7 / 11, 8);
    expect(r.stop).toBe('gradTol');
  });

  it('reaches the Rosenbrock minimum (1, 1) from the classic start (−1.2, 1)', () => {
    const f = (x: Float64Array) => ({
      value: 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2,
      gradient: Float64Array.from([-400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]), 200 * (x[1] - x[0] ** 2)]),
    });
    const r = minimizeLbfgs(f, Float64Array.from([-1.2, 1]), { gradTol: 1e-8, tol: 0, maxIter: 200 });
    expect(r.x[0]).toBeCloseTo(1, 5);
    expect(r.x[1]).toBeCloseTo(1, 5);
    expect(r.iterations).toBeLessThan(100);
  });

  it('stops by the relative-decrease rule and by maxIter', () => {
    const quadratic = (x: Float64Array) => ({ value: 1 + x[0] * x[0], gradient: Float64Array.from([2 * x[0]]) });
    expect(minimizeLbfgs(quadratic, Float64Array.from([3]), { gradTol: 0, tol: 1e-3 }).stop).toBe('tol');
    const slow = (x: Float64Array) => ({ value: Math.cosh(x[0]), gradient: Float64Array.from([Math.sinh(x[0])]) });
    const r = minimizeLbfgs(slow, Float64Array.from([5]), { maxIter: 1, gradTol: 0, tol: 0 });
    expect(r.stop).toBe('maxIter');
    expect(r.value).toBeLessThan(Math.cosh(5));
  });
});
