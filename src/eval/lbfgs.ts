/**
 * Limited-memory BFGS (Nocedal & Wright, Alg. 7.4/7.5) with a backtracking Armijo line search,
 * on plain Float64Array vectors: the objective does the heavy work (in tfjs), the optimiser only
 * touches vectors of the parameter size.
 */
export interface ValueAndGradient {
  value: number;
  gradient: Float64Array;
}

export interface LbfgsOptions {
  /** Most outer iterations. */
  maxIter?: number;
  /** Stop when the relative decrease of the value over the last `window` iterations falls below this. */
  tol?: number;
  /** Iterations the `tol` rule looks back over: one step can be tiny far from the optimum
   *  (e.g. the first, steepest-descent step after a warm start), a run of them rarely is. */
  window?: number;
  /** Stop when max |gradient| falls below this. */
  gradTol?: number;
  /** Number of (s, y) pairs kept. */
  memory?: number;
  /**
   * H₀·v for a fixed initial inverse-Hessian estimate H₀ (symmetric positive definite), used in
   * place of the usual scalar sᵀy/yᵀy: with a good one (the probe's bound on the Hessian) the
   * method takes far fewer iterations on ill-conditioned problems. Returns a new vector.
   */
  preconditioner?: (v: Float64Array) => Float64Array;
  onIteration?: (iteration: number, value: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  /** Why it stopped: a stopping rule was met, or it ran out of iterations / line-search steps. */
  stop: 'tol' | 'gradTol' | 'maxIter' | 'lineSearch';
}

const ARMIJO_C1 = 1e-4;
const BACKTRACK = 0.5;
const MAX_BACKTRACKS = 30;

export function minimizeLbfgs(
  objective: (x: Float64Array) => ValueAndGradient,
  x0: Float64Array,
  { maxIter = 500, tol = 1e-5, window = 5, gradTol = 1e-6, memory = 10, preconditioner, onIteration }: LbfgsOptions = {},
): LbfgsResult {
  let x: Float64Array = Float64Array.from(x0);
  let { value: f, gradient: g } = objective(x);
  let evaluations = 1;
  const values = [f];
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const alpha = new Float64Array(memory);
  let h0Scale = 1;

  for (let iter = 1; iter <= maxIter; iter++) {
    if (maxAbs(g) < gradTol) return { x, value: f, iterations: iter - 1, evaluations, stop: 'gradTol' };

    // Two-loop recursion: d = -H·g with H the L-BFGS inverse-Hessian estimate.
    let d: Float64Array = Float64Array.from(g);
    for (let i = sHist.length - 1; i >= 0; i--) {
      alpha[i] = rhoHist[i] * dot(sHist[i], d);
      axpy(-alpha[i], yHist[i], d);
    }
    if (preconditioner) {
      d = preconditioner(d);
      // Scaled as plain L-BFGS scales its H₀ = γI: the bound overstates the curvature near the
      // optimum (confident softmax rows curve far less than the bound), so γ = sᵀy / yᵀH₀y < 1.
      if (h0Scale !== 1) scale(h0Scale, d);
    } else if (sHist.length > 0) {
      const last = sHist.length - 1;
      scale(dot(sHist[last], yHist[last]) / dot(yHist[last], yHist[last]), d);
    }
    for (let i = 0; i < sHist.length; i++) {
      const beta = rhoHist[i] * dot(yHist[i], d);
      axpy(alpha[i] - beta, sHist[i], d);
    }
    scale(-1, d);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in a float32 objective): restart from steepest descent.
      sHist.length = yHist.length = rhoHist.length = 0;
      d = preconditioner ? preconditioner(g) : Float64Array.from(g);
      scale(-1, d);
      slope = dot(g, d);
    }

    // Without curvature history (and no H₀) the step length is unknown: start at a unit-norm step.
    let step = sHist.length === 0 && !preconditioner ? Math.min(1, 1 / Math.sqrt(dot(g, g))) : 1;
    let accepted: { x: Float64Array; f: number; g: Float64Array } | undefined;
    for (let b = 0; b < MAX_BACKTRACKS; b++) {
      const xNew = Float64Array.from(x);
      axpy(step, d, xNew);
      const r = objective(xNew);
      evaluations++;
      if (Number.isFinite(r.value) && r.value <= f + ARMIJO_C1 * step * slope) {
        accepted = { x: xNew, f: r.value, g: r.gradient };
        break;
      }
      step *= BACKTRACK;
    }
    if (!accepted) return { x, value: f, iterations: iter, evaluations, stop: 'lineSearch' };

    const s = sub(accepted.x, x);
    const y = sub(accepted.g, g);
    const sy = dot(s, y);
    // Keep the pair only with positive curvature, so H stays positive definite.
    if (sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      if (sHist.length === memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
      if (preconditioner) h0Scale = sy / dot(y, preconditioner(y));
    }
    x = accepted.x;
    f = accepted.f;
    g = accepted.g;
    values.push(f);
    onIteration?.(iter, f);
    if (iter >= window) {
      const before = values[iter - window];
      if ((before - f) / Math.max(Math.abs(before), Number.MIN_VALUE) < tol) {
        return { x, value: f, iterations: iter, evaluations, stop: 'tol' };
      }
    }
  }
  return { x, value: f, iterations: maxIter, evaluations, stop: 'maxIter' };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** y += a·x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function scale(a: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] *= a;
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
