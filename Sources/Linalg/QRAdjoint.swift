/// The reverse-mode derivative (adjoint) of the thin QR factorisation with a non-negative
/// diagonal (`ThinQR`), for an m×n matrix A = Q R with m ≥ n and full column rank.
///
/// Given Q̄ = ∂ℓ/∂Q (m×n) and R̄ = ∂ℓ/∂R (n×n, only its upper triangle matters), returns
///
///     Ā = [Q̄ + Q · copyUpper(F)] R⁻ᵀ,   F = R̄ Rᵀ − Qᵀ Q̄,
///
/// where copyUpper(F) keeps F's upper triangle (diagonal included) and mirrors it into the
/// lower one. Derivation: with X = Qᵀ dA R⁻¹ = C + dR R⁻¹ (C = Qᵀ dQ skew, dR R⁻¹ upper),
/// C = tril(X, −1) − tril(X, −1)ᵀ, and ⟨Q̄, dQ⟩ + ⟨R̄, dR⟩ collected as ⟨Ā, dA⟩. It is the
/// adjoint of the unique factorisation with diag(R) > 0, so it is consistent with `thinQR`
/// and with `QRWorkspace` under either `QRMethod` (both return that factorisation). The same
/// formula is PyTorch's `linalg_qr_backward` for the reduced mode.
///
/// - Precondition: q is m×n, r, rBar are n×n, qBar is m×n, diag(R) ≠ 0 (a zero diagonal
///   gives Inf/NaN: the exponent's gradient is undefined there).
public func qrAdjoint(q: Matrix<Double>, r: Matrix<Double>, qBar: Matrix<Double>, rBar: Matrix<Double>) -> Matrix<Double> {
    let m = q.rows, n = q.cols
    precondition(r.rows == n && r.cols == n && rBar.rows == n && rBar.cols == n && qBar.rows == m && qBar.cols == n,
                 "qrAdjoint: Q \(m)×\(n), R \(r.rows)×\(r.cols), Q̄ \(qBar.rows)×\(qBar.cols), R̄ \(rBar.rows)×\(rBar.cols)")
    var rBarUpper = rBar
    for j in 0..<n { for i in (j + 1)..<max(j + 1, n) { rBarUpper[i, j] = 0 } }
    // F = R̄ Rᵀ − Qᵀ Q̄.
    var f = matmul(rBarUpper, r, .none, .transposed)
    gemm(.transposed, q, .none, qBar, alpha: -1, beta: 1, into: &f)
    var mirrored = f
    for j in 0..<n { for i in (j + 1)..<max(j + 1, n) { mirrored[i, j] = f[j, i] } }
    var a = qBar
    gemm(.none, q, .none, mirrored, beta: 1, into: &a)
    // Ā = a R⁻ᵀ: a right-side triangular solve with R transposed.
    r.storage.withUnsafeBufferPointer { pr in
        a.storage.withUnsafeMutableBufferPointer { pa in
            Double.trsm(.right, .upper, .transposed, m: m, n: n, alpha: 1, a: pr.baseAddress!, lda: n,
                        b: pa.baseAddress!, ldb: m)
        }
    }
    return a
}
