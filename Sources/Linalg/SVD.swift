import CLAPACKE

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
    let job: CChar = mode == .thin ? CChar(UInt8(ascii: "S")) : CChar(UInt8(ascii: "A"))

    func run(divideAndConquer: Bool) -> Int32 {
        var work = a.storage  // LAPACK destroys its input
        var superb = [T](repeating: 0, count: max(k, 1))
        var info: Int32 = 0
        let lda = Int32(max(m, 1)), ldu = Int32(max(m, 1)), ldvt = Int32(max(vtRows, 1))
        work.withUnsafeMutableBufferPointer { pa in s.withUnsafeMutableBufferPointer { ps in
        u.storage.withUnsafeMutableBufferPointer { pu in vt.storage.withUnsafeMutableBufferPointer { pv in
        superb.withUnsafeMutableBufferPointer { pb in
            if T.self == Double.self {
                pa.withMemoryRebound(to: Double.self) { a in ps.withMemoryRebound(to: Double.self) { s in
                pu.withMemoryRebound(to: Double.self) { u in pv.withMemoryRebound(to: Double.self) { v in
                pb.withMemoryRebound(to: Double.self) { b in
                    info = divideAndConquer
                        ? LAPACKE_dgesdd(LAPACK_COL_MAJOR, job, Int32(m), Int32(n), a.baseAddress, lda, s.baseAddress, u.baseAddress, ldu, v.baseAddress, ldvt)
                        : LAPACKE_dgesvd(LAPACK_COL_MAJOR, job, job, Int32(m), Int32(n), a.baseAddress, lda, s.baseAddress, u.baseAddress, ldu, v.baseAddress, ldvt, b.baseAddress)
                }}}}}
            } else {
                pa.withMemoryRebound(to: Float.self) { a in ps.withMemoryRebound(to: Float.self) { s in
                pu.withMemoryRebound(to: Float.self) { u in pv.withMemoryRebound(to: Float.self) { v in
                pb.withMemoryRebound(to: Float.self) { b in
                    info = divideAndConquer
                        ? LAPACKE_sgesdd(LAPACK_COL_MAJOR, job, Int32(m), Int32(n), a.baseAddress, lda, s.baseAddress, u.baseAddress, ldu, v.baseAddress, ldvt)
                        : LAPACKE_sgesvd(LAPACK_COL_MAJOR, job, job, Int32(m), Int32(n), a.baseAddress, lda, s.baseAddress, u.baseAddress, ldu, v.baseAddress, ldvt, b.baseAddress)
                }}}}}
            }
        }}}}}
        return info
    }

    var info = run(divideAndConquer: true)
    checkArguments(info, "gesdd")
    var fallback = false
    if info > 0 {
        fallback = true
        info = run(divideAndConquer: false)
        checkArguments(info, "gesvd")
        if info > 0 { throw LinalgError.svdDidNotConverge(routine: "gesvd", info: Int(info)) }
    }
    return SVD(u: u, s: s, vt: vt, usedFallback: fallback)
}
