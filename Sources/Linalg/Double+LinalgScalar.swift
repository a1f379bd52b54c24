import CBLAS
import CLAPACKE
import Foundation

// Double's `LinalgScalar` conformance: libm for the scalar functions, OpenBLAS's and LAPACKE's
// `d` routines for the BLAS/LAPACK requirements. Each requirement converts flags and dimensions
// and makes one call; shapes and conventions are documented on `LinalgScalar`.
// `Float+LinalgScalar.swift` is the single-precision twin.

extension Double: LinalgScalar {
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    public static var byteWidth: Int { 8 }

    public static func tanh(_ x: UnsafePointer<Double>, into y: UnsafeMutablePointer<Double>, count: Int) {
        for i in 0..<count { y[i] = Foundation.tanh(x[i]) }
    }

    // MARK: BLAS

    public static func gemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasColMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(_ transA: Transpose, m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasColMajor, transA.cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func syrk(_ triangle: Triangle, _ trans: Transpose, n: Int, k: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dsyrk(CblasColMajor, triangle.cblas, trans.cblas, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    public static func trsm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafeMutablePointer<Double>, ldb: Int) {
        cblas_dtrsm(CblasColMajor, side.cblas, triangle.cblas, transA.cblas, CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    public static func trmm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                            alpha: Double, a: UnsafePointer<Double>, lda: Int,
                            b: UnsafeMutablePointer<Double>, ldb: Int) {
        cblas_dtrmm(CblasColMajor, side.cblas, triangle.cblas, transA.cblas, CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    // MARK: LAPACK

    public static func potrf(_ triangle: Triangle, n: Int, a: UnsafeMutablePointer<Double>, lda: Int) -> Int {
        Int(LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, triangle.lapack, Int32(n), a, Int32(lda)))
    }

    public static func geqrf(m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafeMutablePointer<Double>,
                             work: UnsafeMutablePointer<Double>, lwork: Int) -> Int {
        Int(LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, Int32(m), Int32(n), a, Int32(lda), tau, work, Int32(lwork)))
    }

    public static func orgqr(m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Double>, lda: Int, tau: UnsafePointer<Double>,
                             work: UnsafeMutablePointer<Double>, lwork: Int) -> Int {
        Int(LAPACKE_dorgqr_work(LAPACK_COL_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau, work, Int32(lwork)))
    }

    public static func ormqrRight(m: Int, n: Int, k: Int, a: UnsafePointer<Double>, lda: Int, tau: UnsafePointer<Double>,
                                  c: UnsafeMutablePointer<Double>, ldc: Int, work: UnsafeMutablePointer<Double>, lwork: Int) -> Int {
        Int(LAPACKE_dormqr_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "R")), CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(k),
                                  a, Int32(lda), tau, c, Int32(ldc), work, Int32(lwork)))
    }

    public static func gesdd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int,
                             vt: UnsafeMutablePointer<Double>, ldvt: Int) -> Int {
        Int(LAPACKE_dgesdd(LAPACK_COL_MAJOR, mode.lapackJob, Int32(m), Int32(n), a, Int32(lda),
                           s, u, Int32(ldu), vt, Int32(ldvt)))
    }

    public static func gesvd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Double>, lda: Int,
                             s: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, ldu: Int,
                             vt: UnsafeMutablePointer<Double>, ldvt: Int, superb: UnsafeMutablePointer<Double>) -> Int {
        Int(LAPACKE_dgesvd(LAPACK_COL_MAJOR, mode.lapackJob, mode.lapackJob, Int32(m), Int32(n), a, Int32(lda),
                           s, u, Int32(ldu), vt, Int32(ldvt), superb))
    }
}
