/**
 * Cholesky factorisation of a symmetric positive definite matrix (row-major, float64) and the
 * solves with it: enough linear algebra for the linear probe's preconditioner, no dependency.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    const lj = j * n;
    for (let k = 0; k < j; k++) d -= l[lj + k] * l[lj + k];
    if (!(d > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${j} is ${d})`);
    const djj = Math.sqrt(d);
    l[lj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const li = i * n;
      let s = a[li + j];
      for (let k = 0; k < j; k++) s -= l[li + k] * l[lj + k];
      l[li + j] = s / djj;
    }
  }
  return l;
}

/**
 * Solves (L Lᵀ) X = B in place for `cols` right-hand sides stored as the rows-of-B layout
 * B[i * cols + c] (n × cols, row-major), as the probe's weights are laid out.
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, cols: number): void {
  // Forward: L Y = B.
  for (let i = 0; i < n; i++) {
    const li = i * n;
    for (let k = 0; k < i; k++) {
      const lik = l[li + k];
      if (lik === 0) continue;
      for (let c = 0; c < cols; c++) b[i * cols + c] -= lik * b[k * cols + c];
    }
    const inv = 1 / l[li + i];
    for (let c = 0; c < cols; c++) b[i * cols + c] *= inv;
  }
  // Backward: Lᵀ X = Y.
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i];
      if (lki === 0) continue;
      for (let c = 0; c < cols; c++) b[i * cols + c] -= lki * b[k * cols + c];
    }
    const inv = 1 / l[i * n + i];
    for (let c = 0; c < cols; c++) b[i * cols + c] *= inv;
  }
}
