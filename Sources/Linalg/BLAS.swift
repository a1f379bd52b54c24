import CBLAS

// The `Matrix` wrappers of the BLAS requirements of `LinalgScalar`. All column-major with
// lda = rows, so a column range of a matrix is a contiguous sub-matrix with the same leading
// dimension.

/// C[:, cCols] = alpha · op(A[:, aCols]) · op(B[:, bCols]) + beta · C[:, cCols].
///
/// `op` is the identity or the transpose as given. Shapes are checked; a mismatch traps
/// (it is a programming error, not a data error). `nil` ranges mean all columns.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func gemm<T: LinalgScalar>(
    _ transA: Transpose, _ a: Matrix<T>, aColumns aCols: Range<Int>? = nil,
    _ transB: Transpose, _ b: Matrix<T>, bColumns bCols: Range<Int>? = nil,
    alpha: T = 1, beta: T = 0,
    into c: inout Matrix<T>, columns cCols: Range<Int>? = nil
) {
    let ac = aCols ?? 0..<a.cols, bc = bCols ?? 0..<b.cols, cc = cCols ?? 0..<c.cols
    precondition(ac.upperBound <= a.cols && bc.upperBound <= b.cols && cc.upperBound <= c.cols, "column range out of bounds")
    let (m, kA) = transA == .none ? (a.rows, ac.count) : (ac.count, a.rows)
    let (kB, n) = transB == .none ? (b.rows, bc.count) : (bc.count, b.rows)
    precondition(kA == kB, "gemm: inner dimensions \(kA) and \(kB) differ")
    precondition(c.rows == m && cc.count == n, "gemm: output is \(c.rows)×\(cc.count), expected \(m)×\(n)")
    if m == 0 || n == 0 { return }
    let lda = max(a.rows, 1), ldb = max(b.rows, 1), ldc = max(c.rows, 1)
    let aOff = ac.lowerBound * a.rows, bOff = bc.lowerBound * b.rows, cOff = cc.lowerBound * c.rows
    let cCount = c.rows * n
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            c.storage.withUnsafeMutableBufferPointer { pc in
                let cBlock = pc.baseAddress! + cOff
                if kA == 0 { scaleInPlace(cBlock, count: cCount, by: beta); return }
                T.gemm(transA, transB, m: m, n: n, k: kA, alpha: alpha, a: pa.baseAddress! + aOff, lda: lda,
                       b: pb.baseAddress! + bOff, ldb: ldb, beta: beta, c: cBlock, ldc: ldc)
            }
        }
    }
}

/// p[0..<count] *= beta, with beta = 0 writing zeros (BLAS's rule: C is not read then).
private func scaleInPlace<T: LinalgScalar>(_ p: UnsafeMutablePointer<T>, count: Int, by beta: T) {
    for k in 0..<count { p[k] = beta == 0 ? 0 : beta * p[k] }
}

/// op(A) · op(B) as a new matrix.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func matmul<T: LinalgScalar>(_ a: Matrix<T>, _ b: Matrix<T>,
                                    _ transA: Transpose = .none, _ transB: Transpose = .none) -> Matrix<T> {
    let m = transA == .none ? a.rows : a.cols
    let n = transB == .none ? b.cols : b.rows
    var c = Matrix<T>(rows: m, cols: n)
    gemm(transA, a, transB, b, into: &c)
    return c
}

/// y = alpha · op(A) · x + beta · y, with x and y plain vectors.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func gemv<T: LinalgScalar>(_ transA: Transpose, _ a: Matrix<T>, _ x: [T],
                                  alpha: T = 1, beta: T = 0, into y: inout [T]) {
    let (m, n) = transA == .none ? (a.rows, a.cols) : (a.cols, a.rows)
    precondition(x.count == n && y.count == m, "gemv: x has \(x.count) (expected \(n)), y has \(y.count) (expected \(m))")
    if m == 0 { return }
    if n == 0 { for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }; return }
    a.storage.withUnsafeBufferPointer { pa in
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                T.gemv(transA, m: a.rows, n: a.cols, alpha: alpha, a: pa.baseAddress!, lda: max(a.rows, 1),
                       x: px.baseAddress!, beta: beta, y: py.baseAddress!)
            }
        }
    }
}

/// op(A) · x as a new vector.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func matvec<T: LinalgScalar>(_ a: Matrix<T>, _ x: [T], _ transA: Transpose = .none) -> [T] {
    var y = [T](repeating: 0, count: transA == .none ? a.rows : a.cols)
    gemv(transA, a, x, into: &y)
    return y
}

/// Sets the number of OpenBLAS threads (1 for small per-step products, where threading costs
/// more than it saves).
public func setBLASThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

/// The number of OpenBLAS threads in use.
public var blasThreads: Int { Int(openblas_get_num_threads()) }

/// The kernel family OpenBLAS chose (or was told by OPENBLAS_CORETYPE) at load, e.g. "Haswell".
public var blasCoreName: String { String(cString: openblas_get_corename()) }

/// OpenBLAS's build description, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell".
public var blasConfiguration: String { String(cString: openblas_get_config()) + " core=" + blasCoreName }

// MARK: Flag values for the C interfaces (used by the two conformance files)

extension Transpose {
    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

extension Triangle {
    var cblas: CBLAS_UPLO { self == .upper ? CblasUpper : CblasLower }
    /// LAPACK's `uplo` character.
    var lapack: CChar { CChar(UInt8(ascii: self == .upper ? "U" : "L")) }
}

extension Side {
    var cblas: CBLAS_SIDE { self == .left ? CblasLeft : CblasRight }
}

extension SVDMode {
    /// LAPACK's `jobz` / `jobu` / `jobvt` character: "S" (thin) or "A" (full).
    var lapackJob: CChar { CChar(UInt8(ascii: self == .thin ? "S" : "A")) }
}
