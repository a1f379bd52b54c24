import CBLAS
import CLAPACKE
import Foundation

// Float's `LinalgScalar` conformance: libm for the scalar functions, the vectorised `fastTanh`
// for arrays, OpenBLAS's and LAPACKE's `s` routines for the BLAS/LAPACK requirements. Each
// requirement converts flags and dimensions and makes one call; shapes and conventions are
// documented on `LinalgScalar`. `Double+LinalgScalar.swift` is the double-precision twin.

extension Float: LinalgScalar {
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanhf(x) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    public static var byteWidth: Int { 4 }

    public static func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        // Training's hot element-wise pass: within 3 ulp of libm's tanhf, and it vectorises.
        for i in 0..<count { y[i] = fastTanh(x[i]) }
    }

    // MARK: BLAS

    public static func gemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasColMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    public static func gemv(_ transA: Transpose, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>) {
        cblas_sgemv(CblasColMajor, transA.cblas, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    public static func syrk(_ triangle: Triangle, _ trans: Transpose, n: Int, k: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_ssyrk(CblasColMajor, triangle.cblas, trans.cblas, Int32(n), Int32(k), alpha, a, Int32(lda), beta, c, Int32(ldc))
    }

    public static func trsm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafeMutablePointer<Float>, ldb: Int) {
        cblas_strsm(CblasColMajor, side.cblas, triangle.cblas, transA.cblas, CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    public static func trmm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                            alpha: Float, a: UnsafePointer<Float>, lda: Int,
                            b: UnsafeMutablePointer<Float>, ldb: Int) {
        cblas_strmm(CblasColMajor, side.cblas, triangle.cblas, transA.cblas, CblasNonUnit,
                    Int32(m), Int32(n), alpha, a, Int32(lda), b, Int32(ldb))
    }

    // MARK: LAPACK

    public static func potrf(_ triangle: Triangle, n: Int, a: UnsafeMutablePointer<Float>, lda: Int) -> Int {
        Int(LAPACKE_spotrf_work(LAPACK_COL_MAJOR, triangle.lapack, Int32(n), a, Int32(lda)))
    }

    public static func geqrf(m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafeMutablePointer<Float>,
                             work: UnsafeMutablePointer<Float>, lwork: Int) -> Int {
        Int(LAPACKE_sgeqrf_work(LAPACK_COL_MAJOR, Int32(m), Int32(n), a, Int32(lda), tau, work, Int32(lwork)))
    }

    public static func orgqr(m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Float>, lda: Int, tau: UnsafePointer<Float>,
                             work: UnsafeMutablePointer<Float>, lwork: Int) -> Int {
        Int(LAPACKE_sorgqr_work(LAPACK_COL_MAJOR, Int32(m), Int32(n), Int32(k), a, Int32(lda), tau, work, Int32(lwork)))
    }

    public static func ormqrRight(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, tau: UnsafePointer<Float>,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, work: UnsafeMutablePointer<Float>, lwork: Int) -> Int {
        Int(LAPACKE_sormqr_work(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "R")), CChar(UInt8(ascii: "N")), Int32(m), Int32(n), Int32(k),
                                  a, Int32(lda), tau, c, Int32(ldc), work, Int32(lwork)))
    }

    public static func gesdd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, ldu: Int,
                             vt: UnsafeMutablePointer<Float>, ldvt: Int) -> Int {
        Int(LAPACKE_sgesdd(LAPACK_COL_MAJOR, mode.lapackJob, Int32(m), Int32(n), a, Int32(lda),
                           s, u, Int32(ldu), vt, Int32(ldvt)))
    }

    public static func gesvd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Float>, lda: Int,
                             s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>, ldu: Int,
                             vt: UnsafeMutablePointer<Float>, ldvt: Int, superb: UnsafeMutablePointer<Float>) -> Int {
        Int(LAPACKE_sgesvd(LAPACK_COL_MAJOR, mode.lapackJob, mode.lapackJob, Int32(m), Int32(n), a, Int32(lda),
                           s, u, Int32(ldu), vt, Int32(ldvt), superb))
    }
}
