/// A = U · diag(S) · Vᵀ with singular values S sorted in non-increasing order.
///
/// Thin: U is m×k, Vt is k×n, k = min(m, n). Full: U is m×m, Vt is n×n.
/// Singular vectors are determined up to sign (and rotation within repeated values); tests
/// check UΣVᵀ = A and orthonormality, never raw signs.
public struct SVD<T: LinalgScalar>: Sendable {
    public var u: Matrix<T>
    public var s: [T]
    public var vt: Matrix<T>
    /// True when gesdd failed and gesvd produced the result.
    public var usedFallback: Bool
}

/// Which singular vectors to compute.
public enum SVDMode: Sendable { case thin, full }

/// SVD through LAPACK `gesdd` (divide and conquer), falling back to `gesvd` when gesdd
/// reports `info > 0`. Throws `LinalgError.nonFiniteInput` for NaN/Inf input and
/// `.svdDidNotConverge` when both fail.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func svd<T: LinalgScalar>(_ a: Matrix<T>, mode: SVDMode = .thin) throws -> SVD<T> {
    guard a.allFinite else { throw LinalgError.nonFiniteInput(routine: "gesdd") }
    let m = a.rows, n = a.cols, k = min(m, n)
    let uCols = mode == .thin ? k : m
    let vtRows = mode == .thin ? k : n
    if k == 0 {
        return SVD(u: mode == .full ? .identity(m) : Matrix(rows: m, cols: 0), s: [],
                   vt: mode == .full ? .identity(n) : Matrix(rows: 0, cols: n), usedFallback: false)
    }
    var u = Matrix<T>(rows: m, cols: uCols)
    var vt = Matrix<T>(rows: vtRows, cols: n)
    var s = [T](repeating: 0, count: k)

    func run(divideAndConquer: Bool) -> Int {
        var work = a.storage  // LAPACK destroys its input
        var superb = [T](repeating: 0, count: max(k, 1))
        let lda = max(m, 1), ldu = max(m, 1), ldvt = max(vtRows, 1)
        return work.withUnsafeMutableBufferPointer { pa in s.withUnsafeMutableBufferPointer { ps in
        u.storage.withUnsafeMutableBufferPointer { pu in vt.storage.withUnsafeMutableBufferPointer { pv in
        superb.withUnsafeMutableBufferPointer { pb in
            divideAndConquer
                ? T.gesdd(mode, m: m, n: n, a: pa.baseAddress!, lda: lda, s: ps.baseAddress!,
                          u: pu.baseAddress!, ldu: ldu, vt: pv.baseAddress!, ldvt: ldvt)
                : T.gesvd(mode, m: m, n: n, a: pa.baseAddress!, lda: lda, s: ps.baseAddress!,
                          u: pu.baseAddress!, ldu: ldu, vt: pv.baseAddress!, ldvt: ldvt, superb: pb.baseAddress!)
        }}}}}
    }

    var info = run(divideAndConquer: true)
    checkArguments(info, "gesdd")
    var fallback = false
    if info > 0 {
        fallback = true
        info = run(divideAndConquer: false)
        checkArguments(info, "gesvd")
        if info > 0 { throw LinalgError.svdDidNotConverge(routine: "gesvd", info: info) }
    }
    return SVD(u: u, s: s, vt: vt, usedFallback: fallback)
}
