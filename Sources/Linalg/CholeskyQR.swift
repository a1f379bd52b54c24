import CBLAS
import CLAPACKE

// CholeskyQR2 for QRWorkspace (see `QRMethod.automatic`). Written once over a tiny BLAS
// dispatch so the Float and Double paths share the algorithm.

/// The BLAS/LAPACK calls CholeskyQR2 needs, for one element type.
private protocol CholeskyKernels {
    associatedtype E: BinaryFloatingPoint
    static func syrk(_ n: Int32, _ m: Int32, _ a: UnsafePointer<E>, _ g: UnsafeMutablePointer<E>)
    static func potrf(_ n: Int32, _ g: UnsafeMutablePointer<E>) -> Int32
    static func trsmRight(_ m: Int32, _ n: Int32, _ r: UnsafePointer<E>, _ a: UnsafeMutablePointer<E>)
    static func trmmLeft(_ n: Int32, _ r2: UnsafePointer<E>, _ r: UnsafeMutablePointer<E>)
}

private enum DoubleKernels: CholeskyKernels {
    static func syrk(_ n: Int32, _ m: Int32, _ a: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n, m, 1, a, m, 0, g, n)
    }
    static func potrf(_ n: Int32, _ g: UnsafeMutablePointer<Double>) -> Int32 {
        LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), n, g, n)
    }
    static func trsmRight(_ m: Int32, _ n: Int32, _ r: UnsafePointer<Double>, _ a: UnsafeMutablePointer<Double>) {
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1, r, n, a, m)
    }
    static func trmmLeft(_ n: Int32, _ r2: UnsafePointer<Double>, _ r: UnsafeMutablePointer<Double>) {
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, r2, n, r, n)
    }
}

private enum FloatKernels: CholeskyKernels {
    static func syrk(_ n: Int32, _ m: Int32, _ a: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>) {
        cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, n, m, 1, a, m, 0, g, n)
    }
    static func potrf(_ n: Int32, _ g: UnsafeMutablePointer<Float>) -> Int32 {
        LAPACKE_spotrf_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "U")), n, g, n)
    }
    static func trsmRight(_ m: Int32, _ n: Int32, _ r: UnsafePointer<Float>, _ a: UnsafeMutablePointer<Float>) {
        cblas_strsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, m, n, 1, r, n, a, m)
    }
    static func trmmLeft(_ n: Int32, _ r2: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>) {
        cblas_strmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, r2, n, r, n)
    }
}

/// CholeskyQR2 in place on a (m×n, m ≥ n, column-major). On success `a` holds Q and the result
/// is true; R = R₂R₁ (upper triangular, positive diagonal) is either formed in `r` (`outer` nil)
/// or left as its two factors, R₁ in `r` and R₂ in `outer`, which saves the n³/3-flop triangular
/// product. On failure `a` is restored from `original` and the result is false (the caller
/// falls back to Householder).
private func choleskyQR2<K: CholeskyKernels>(_: K.Type, a: UnsafeMutablePointer<K.E>, r: UnsafeMutablePointer<K.E>,
                                              outer: UnsafeMutablePointer<K.E>?,
                                              gram g: UnsafeMutablePointer<K.E>, original: UnsafeMutablePointer<K.E>,
                                              m: Int, n: Int) -> Bool {
    let mm = Int32(m), nn = Int32(n)
    original.update(from: a, count: m * n)
    func restore() -> Bool { a.update(from: original, count: m * n); return false }
    // Pass 1: G = AᵀA = R₁ᵀR₁, Q₁ = A R₁⁻¹.
    K.syrk(nn, mm, a, g)
    if K.potrf(nn, g) != 0 { return restore() }
    for j in 0..<n { for i in 0..<n { r[i + j * n] = i <= j ? g[i + j * n] : 0 } }   // R₁
    K.trsmRight(mm, nn, r, a)
    // Pass 2: G = Q₁ᵀQ₁ must be near I for the second pass to give O(u) orthogonality.
    K.syrk(nn, mm, a, g)
    for j in 0..<n {
        for i in 0...j {
            let d = g[i + j * n] - (i == j ? 1 : 0)
            if !(abs(d) <= 0.1) { return restore() }   // also catches NaN
        }
    }
    if K.potrf(nn, g) != 0 { return restore() }
    for j in 0..<n { for i in (j + 1)..<max(j + 1, n) { g[i + j * n] = 0 } }           // R₂ (clear the lower part)
    K.trsmRight(mm, nn, g, a)                                                           // Q = Q₁ R₂⁻¹
    if let outer { outer.update(from: g, count: n * n) } else { K.trmmLeft(nn, g, r) }  // R = R₂ R₁
    return true
}

extension QRWorkspace {
    /// CholeskyQR2 on `a` for Float or Double elements; nil for any other element type.
    /// `outer` nil: R formed in `r`; otherwise R₁ in `r` and R₂ in `outer` (see `choleskyQR2`).
    mutating func choleskyQR2(_ a: inout Matrix<T>, r: inout Matrix<T>, outer: UnsafeMutablePointer<T>?) -> Bool? {
        if T.self == Double.self { return choleskyQR2(DoubleKernels.self, &a, r: &r, outer: outer) }
        if T.self == Float.self { return choleskyQR2(FloatKernels.self, &a, r: &r, outer: outer) }
        return nil
    }

    /// The storage of `a`, `r`, `outer` and the workspace seen as `K.E` (which is `T`). Inlined into
    /// the dispatch above so the CholeskyQR2 loops are specialised for Float and Double: as a
    /// generic call they ran unspecialised and the H = 128 benchmark took 2.2× as long.
    @inline(__always)
    private mutating func choleskyQR2<K: CholeskyKernels>(_ kernels: K.Type, _ a: inout Matrix<T>, r: inout Matrix<T>,
                                                          outer: UnsafeMutablePointer<T>?) -> Bool {
        let (m, n) = (rows, cols)
        let outerK = outer.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: K.E.self) }
        return a.storage.withUnsafeMutableBufferPointer { pa in r.storage.withUnsafeMutableBufferPointer { pr in
            gramStorage.withUnsafeMutableBufferPointer { pg in originalStorage.withUnsafeMutableBufferPointer { po in
                pa.withMemoryRebound(to: K.E.self) { a in pr.withMemoryRebound(to: K.E.self) { r in
                pg.withMemoryRebound(to: K.E.self) { g in po.withMemoryRebound(to: K.E.self) { o in
                    Linalg.choleskyQR2(kernels, a: a.baseAddress!, r: r.baseAddress!, outer: outerK,
                                       gram: g.baseAddress!, original: o.baseAddress!, m: m, n: n)
                }}}}
            }}
        }}
    }
}

/// outer · inner for two n×n upper-triangular matrices (BLAS trmm, n³/3 multiply-adds), the
/// same call CholeskyQR2 uses to form R = R₂R₁, so a split R formed here is bit-identical to
/// the one `factor(_:r:)` returns. `inner`'s entries below the diagonal must be zero (trmm reads
/// only `outer`'s upper triangle).
public func upperTriangularProduct<T: LinalgScalar>(_ outer: Matrix<T>, _ inner: Matrix<T>) -> Matrix<T> {
    let n = outer.rows
    precondition(outer.cols == n && inner.rows == n && inner.cols == n, "upperTriangularProduct needs two n×n matrices")
    var product = inner
    if n == 0 { return product }
    outer.storage.withUnsafeBufferPointer { po in product.storage.withUnsafeMutableBufferPointer { pp in
        if T.self == Double.self {
            po.withMemoryRebound(to: Double.self) { o in pp.withMemoryRebound(to: Double.self) { p in
                DoubleKernels.trmmLeft(Int32(n), o.baseAddress!, p.baseAddress!)
            }}
        } else {
            po.withMemoryRebound(to: Float.self) { o in pp.withMemoryRebound(to: Float.self) { p in
                FloatKernels.trmmLeft(Int32(n), o.baseAddress!, p.baseAddress!)
            }}
        }
    }}
    return product
}
