// CholeskyQR2 for QRWorkspace (see `QRMethod.automatic`), written once over the BLAS/LAPACK
// requirements of `LinalgScalar`.

/// CholeskyQR2 in place on a (m×n, m ≥ n, column-major, lda = m). On success `a` holds Q and the
/// result is true; R = R₂R₁ (n×n upper triangular, positive diagonal) is either formed in `r`
/// (`outer` nil) or left as its two factors, R₁ in `r` and R₂ in `outer`, which saves the
/// n³/3-flop triangular product. On failure `a` is restored from `original` and the result is
/// false (the caller falls back to Householder). `gram` and `original` are n×n and m×n scratch.
private func choleskyQR2<T: LinalgScalar>(a: UnsafeMutablePointer<T>, r: UnsafeMutablePointer<T>,
                                          outer: UnsafeMutablePointer<T>?,
                                          gram g: UnsafeMutablePointer<T>, original: UnsafeMutablePointer<T>,
                                          m: Int, n: Int) -> Bool {
    original.update(from: a, count: m * n)
    func restore() -> Bool { a.update(from: original, count: m * n); return false }
    // Pass 1: G = AᵀA = R₁ᵀR₁, Q₁ = A R₁⁻¹.
    T.syrk(.upper, .transposed, n: n, k: m, alpha: 1, a: a, lda: m, beta: 0, c: g, ldc: n)
    if T.potrf(.upper, n: n, a: g, lda: n) != 0 { return restore() }
    for j in 0..<n { for i in 0..<n { r[i + j * n] = i <= j ? g[i + j * n] : 0 } }   // R₁
    T.trsm(.right, .upper, .none, m: m, n: n, alpha: 1, a: r, lda: n, b: a, ldb: m)
    // Pass 2: G = Q₁ᵀQ₁ must be near I for the second pass to give O(u) orthogonality.
    T.syrk(.upper, .transposed, n: n, k: m, alpha: 1, a: a, lda: m, beta: 0, c: g, ldc: n)
    for j in 0..<n {
        for i in 0...j {
            let d = g[i + j * n] - (i == j ? 1 : 0)
            if !(abs(d) <= 0.1) { return restore() }   // also catches NaN
        }
    }
    if T.potrf(.upper, n: n, a: g, lda: n) != 0 { return restore() }
    for j in 0..<n { for i in (j + 1)..<max(j + 1, n) { g[i + j * n] = 0 } }           // R₂ (clear the lower part)
    T.trsm(.right, .upper, .none, m: m, n: n, alpha: 1, a: g, lda: n, b: a, ldb: m)    // Q = Q₁ R₂⁻¹
    if let outer {
        outer.update(from: g, count: n * n)
    } else {
        T.trmm(.left, .upper, .none, m: n, n: n, alpha: 1, a: g, lda: n, b: r, ldb: n)  // R = R₂ R₁
    }
    return true
}

extension QRWorkspace {
    /// CholeskyQR2 on `a` (rows×cols) with this workspace's scratch; `outer` nil: R formed in `r`,
    /// otherwise R₁ in `r` and R₂ in `outer` (see `choleskyQR2(a:r:outer:gram:original:m:n:)`).
    /// False when it failed and `a` is unchanged.
    mutating func choleskyQR2(_ a: inout Matrix<T>, r: inout Matrix<T>, outer: UnsafeMutablePointer<T>?) -> Bool {
        let (m, n) = (rows, cols)
        return a.storage.withUnsafeMutableBufferPointer { pa in r.storage.withUnsafeMutableBufferPointer { pr in
            gramStorage.withUnsafeMutableBufferPointer { pg in originalStorage.withUnsafeMutableBufferPointer { po in
                Linalg.choleskyQR2(a: pa.baseAddress!, r: pr.baseAddress!, outer: outer,
                                   gram: pg.baseAddress!, original: po.baseAddress!, m: m, n: n)
            }}
        }}
    }
}

/// outer · inner for two n×n upper-triangular matrices (BLAS trmm, n³/3 multiply-adds), the
/// same call CholeskyQR2 uses to form R = R₂R₁, so a split R formed here is bit-identical to
/// the one `factor(_:r:)` returns. `inner`'s entries below the diagonal must be zero (trmm reads
/// only `outer`'s upper triangle).
@_specialize(where T == Float)
@_specialize(where T == Double)
public func upperTriangularProduct<T: LinalgScalar>(_ outer: Matrix<T>, _ inner: Matrix<T>) -> Matrix<T> {
    let n = outer.rows
    precondition(outer.cols == n && inner.rows == n && inner.cols == n, "upperTriangularProduct needs two n×n matrices")
    var product = inner
    if n == 0 { return product }
    outer.storage.withUnsafeBufferPointer { po in product.storage.withUnsafeMutableBufferPointer { pp in
        T.trmm(.left, .upper, .none, m: n, n: n, alpha: 1, a: po.baseAddress!, lda: n, b: pp.baseAddress!, ldb: n)
    }}
    return product
}
