import CBLAS

// All wrappers: column-major, lda = rows. A column range of a matrix is a contiguous
// sub-matrix with the same leading dimension.

@inline(__always)
private func blasTranspose(_ t: Transpose) -> CBLAS_TRANSPOSE {
    t == .none ? CblasNoTrans : CblasTrans
}

/// C[:, cCols] = alpha · op(A[:, aCols]) · op(B[:, bCols]) + beta · C[:, cCols].
///
/// `op` is the identity or the transpose as given. Shapes are checked; a mismatch traps
/// (it is a programming error, not a data error). `nil` ranges mean all columns.
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
    let lda = Int32(max(a.rows, 1)), ldb = Int32(max(b.rows, 1)), ldc = Int32(max(c.rows, 1))
    let aOff = ac.lowerBound * a.rows, bOff = bc.lowerBound * b.rows, cOff = cc.lowerBound * c.rows
    let cRows = c.rows
    a.storage.withUnsafeBufferPointer { pa in
        b.storage.withUnsafeBufferPointer { pb in
            c.storage.withUnsafeMutableBufferPointer { pc in
                if T.self == Double.self {
                    pa.withMemoryRebound(to: Double.self) { ra in
                    pb.withMemoryRebound(to: Double.self) { rb in
                    pc.withMemoryRebound(to: Double.self) { rc in
                        if kA == 0 { scaleInPlace(rc.baseAddress! + cOff, rows: cRows, cols: n, Double(beta)); return }
                        cblas_dgemm(CblasColMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(kA),
                                    Double(alpha), ra.baseAddress! + aOff, lda, rb.baseAddress! + bOff, ldb,
                                    Double(beta), rc.baseAddress! + cOff, ldc)
                    }}}
                } else {
                    pa.withMemoryRebound(to: Float.self) { ra in
                    pb.withMemoryRebound(to: Float.self) { rb in
                    pc.withMemoryRebound(to: Float.self) { rc in
                        if kA == 0 { scaleInPlace(rc.baseAddress! + cOff, rows: cRows, cols: n, Float(beta)); return }
                        cblas_sgemm(CblasColMajor, blasTranspose(transA), blasTranspose(transB), Int32(m), Int32(n), Int32(kA),
                                    Float(alpha), ra.baseAddress! + aOff, lda, rb.baseAddress! + bOff, ldb,
                                    Float(beta), rc.baseAddress! + cOff, ldc)
                    }}}
                }
            }
        }
    }
}

private func scaleInPlace<F: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<F>, rows: Int, cols: Int, _ beta: F) {
    for k in 0..<(rows * cols) { p[k] = beta == 0 ? 0 : beta * p[k] }
}

/// op(A) · op(B) as a new matrix.
public func matmul<T: LinalgScalar>(_ a: Matrix<T>, _ b: Matrix<T>,
                                    _ transA: Transpose = .none, _ transB: Transpose = .none) -> Matrix<T> {
    let m = transA == .none ? a.rows : a.cols
    let n = transB == .none ? b.cols : b.rows
    var c = Matrix<T>(rows: m, cols: n)
    gemm(transA, a, transB, b, into: &c)
    return c
}

/// y = alpha · op(A) · x + beta · y, with x and y plain vectors.
public func gemv<T: LinalgScalar>(_ transA: Transpose, _ a: Matrix<T>, _ x: [T],
                                  alpha: T = 1, beta: T = 0, into y: inout [T]) {
    let (m, n) = transA == .none ? (a.rows, a.cols) : (a.cols, a.rows)
    precondition(x.count == n && y.count == m, "gemv: x has \(x.count) (expected \(n)), y has \(y.count) (expected \(m))")
    if m == 0 { return }
    if n == 0 { for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }; return }
    let lda = Int32(max(a.rows, 1))
    a.storage.withUnsafeBufferPointer { pa in
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in
                if T.self == Double.self {
                    pa.withMemoryRebound(to: Double.self) { ra in px.withMemoryRebound(to: Double.self) { rx in py.withMemoryRebound(to: Double.self) { ry in
                        cblas_dgemv(CblasColMajor, blasTranspose(transA), Int32(a.rows), Int32(a.cols), Double(alpha),
                                    ra.baseAddress!, lda, rx.baseAddress!, 1, Double(beta), ry.baseAddress!, 1)
                    }}}
                } else {
                    pa.withMemoryRebound(to: Float.self) { ra in px.withMemoryRebound(to: Float.self) { rx in py.withMemoryRebound(to: Float.self) { ry in
                        cblas_sgemv(CblasColMajor, blasTranspose(transA), Int32(a.rows), Int32(a.cols), Float(alpha),
                                    ra.baseAddress!, lda, rx.baseAddress!, 1, Float(beta), ry.baseAddress!, 1)
                    }}}
                }
            }
        }
    }
}

/// op(A) · x as a new vector.
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
