/// The element types `Linalg` supports: `Float` (training, as PyTorch does) and `Double`
/// (analysis, tests).
///
/// Besides a few scalar functions, the protocol carries every BLAS/LAPACK routine the module
/// uses, at raw-pointer level. Each conformance implements them once
/// (`Float+LinalgScalar.swift`: OpenBLAS/LAPACKE's `s` routines; `Double+LinalgScalar.swift`:
/// the `d` routines), the way swift-numerics gives each type its `Real` functions. Generic code
/// calls `T.gemm(...)`; the call goes through the conformance straight to the concrete routine,
/// so it is as fast from unspecialised generic code as from concrete code. Other modules never
/// see a pointer: they call the `Matrix` wrappers (`gemm(_:_:...)`, `QRWorkspace`, `svd`, ...).
///
/// Conventions of every pointer requirement:
/// - Matrices are column-major: element (i, j) of a matrix with leading dimension `ld` is at
///   `p[i + j * ld]`, and `ld ≥ max(1, rows)`. A `Matrix` or a column range of it passes
///   `ld = rows`.
/// - Dimensions are counts of elements, ≥ 1 unless stated, and must fit in `Int32` (the
///   conversion traps otherwise). Vectors are contiguous (unit stride).
/// - LAPACK routines return `info`: 0 on success, −i when argument i was illegal (a bug in the
///   caller; the wrappers trap on it), and a routine-specific positive value on a numerical
///   failure, documented with each routine.
public protocol LinalgScalar: BinaryFloatingPoint, Sendable, Codable, LosslessStringConvertible
where Self.RawSignificand: FixedWidthInteger {
    static func tanh(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    /// Bytes per element (4 or 8).
    static var byteWidth: Int { get }

    /// y[i] = tanh(x[i]) for i in 0..<count (`count` ≥ 0; `x` and `y` may be the same array but
    /// must not otherwise overlap). `Float` uses the vectorised ``fastTanh(_:)`` (≤ 3 ulp from
    /// libm), `Double` libm's tanh.
    static func tanh(_ x: UnsafePointer<Self>, into y: UnsafeMutablePointer<Self>, count: Int)

    // MARK: BLAS

    /// C ← alpha·op(A)·op(B) + beta·C (xGEMM).
    ///
    /// op(A) is m×k and op(B) is k×n, so C is m×n (`ldc ≥ m`). A is stored m×k for
    /// `transA == .none` and k×m for `.transposed` (`lda` ≥ its row count); B likewise k×n or
    /// n×k (`ldb`). With beta = 0, C is not read. m, n, k ≥ 1.
    static func gemm(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// y ← alpha·op(A)·x + beta·y (xGEMV).
    ///
    /// A is stored m×n (`lda ≥ m`); m and n are A's own shape, before `op`. x has n elements
    /// and y has m for `.none`; x has m and y has n for `.transposed`. With beta = 0, y is not
    /// read. m, n ≥ 1.
    static func gemv(_ transA: Transpose, m: Int, n: Int, alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     x: UnsafePointer<Self>, beta: Self, y: UnsafeMutablePointer<Self>)

    /// C ← alpha·op(A)·op(A)ᵀ + beta·C on one triangle of the symmetric n×n C (xSYRK).
    ///
    /// `.none`: A is n×k and C gets alpha·A·Aᵀ; `.transposed`: A is k×n and C gets alpha·Aᵀ·A.
    /// Only `triangle` of C (diagonal included) is read and written; the other strict triangle
    /// is left as it was. `ldc ≥ n`.
    static func syrk(_ triangle: Triangle, _ trans: Transpose, n: Int, k: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

    /// B ← alpha·op(A)⁻¹·B (`.left`) or B ← alpha·B·op(A)⁻¹ (`.right`) (xTRSM): a triangular
    /// solve in place of the m×n B (`ldb ≥ m`).
    ///
    /// A is m×m (`.left`) or n×n (`.right`) with a non-unit diagonal; only its `triangle` is
    /// read. A zero diagonal entry gives Inf/NaN, not an error.
    static func trsm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafeMutablePointer<Self>, ldb: Int)

    /// B ← alpha·op(A)·B (`.left`) or B ← alpha·B·op(A) (`.right`) (xTRMM): a triangular
    /// product in place of the m×n B (`ldb ≥ m`).
    ///
    /// A is m×m (`.left`) or n×n (`.right`) with a non-unit diagonal; only its `triangle` is
    /// read.
    static func trmm(_ side: Side, _ triangle: Triangle, _ transA: Transpose, m: Int, n: Int,
                     alpha: Self, a: UnsafePointer<Self>, lda: Int,
                     b: UnsafeMutablePointer<Self>, ldb: Int)

    // MARK: LAPACK

    /// Cholesky factorisation of the symmetric positive definite n×n A in place (xPOTRF):
    /// A = UᵀU with U upper triangular (`.upper`) or A = LLᵀ (`.lower`). Only `triangle` of A is
    /// read and overwritten by the factor; the other strict triangle is left as it was.
    ///
    /// info = i > 0: the leading minor of order i is not positive definite (a pivot was ≤ 0 or
    /// NaN) and the factorisation stopped there.
    static func potrf(_ triangle: Triangle, n: Int, a: UnsafeMutablePointer<Self>, lda: Int) -> Int

    /// Householder QR of the m×n A in place (xGEQRF): R (min(m, n)×n, upper trapezoidal)
    /// overwrites A's upper triangle, the reflectors' vectors lie below the diagonal and their
    /// min(m, n) scalars go to `tau`.
    ///
    /// `work` holds `lwork` elements, lwork ≥ max(1, n); `lwork == -1` is a size query that
    /// only writes the optimal lwork to `work[0]`. Never returns info > 0.
    static func geqrf(m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafeMutablePointer<Self>,
                      work: UnsafeMutablePointer<Self>, lwork: Int) -> Int

    /// The m×n Q with orthonormal columns (m ≥ n ≥ k) from the first k reflectors `geqrf` left
    /// in A and `tau`, formed in place of A (xORGQR).
    ///
    /// `work`/`lwork` as for `geqrf` (lwork ≥ max(1, n)). Never returns info > 0.
    static func orgqr(m: Int, n: Int, k: Int, a: UnsafeMutablePointer<Self>, lda: Int, tau: UnsafePointer<Self>,
                      work: UnsafeMutablePointer<Self>, lwork: Int) -> Int

    /// C ← C·Q (side right, no transpose) for the m×n C, with Q the n×n orthogonal matrix of the
    /// k reflectors `geqrf` left in the n×k A and `tau` (xORMQR). `work`/`lwork` as for `geqrf`
    /// (lwork ≥ max(1, m)). Never returns info > 0.
    static func ormqrRight(m: Int, n: Int, k: Int, a: UnsafePointer<Self>, lda: Int, tau: UnsafePointer<Self>,
                           c: UnsafeMutablePointer<Self>, ldc: Int, work: UnsafeMutablePointer<Self>, lwork: Int) -> Int

    /// SVD A = U·diag(S)·Vᵀ of the m×n A by divide and conquer (LAPACKE xGESDD, which allocates
    /// its own workspace). A is destroyed; it must be finite (LAPACKE's NaN check returns −5).
    ///
    /// S gets the min(m, n) singular values, non-increasing. `.thin`: U is m×min(m, n) and
    /// Vᵀ is min(m, n)×n; `.full`: U is m×m and Vᵀ is n×n (`ldu ≥ m`, `ldvt ≥` Vᵀ's rows).
    /// info > 0: the bidiagonal divide and conquer did not converge (retry with `gesvd`).
    static func gesdd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                      s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>, ldu: Int,
                      vt: UnsafeMutablePointer<Self>, ldvt: Int) -> Int

    /// The same SVD by bidiagonal QR iteration (LAPACKE xGESVD; shapes and `mode` as for
    /// `gesdd`, which it backs up). `superb` has min(m, n) − 1 elements (at least 1).
    ///
    /// info = i > 0: i superdiagonals of the bidiagonal form did not converge to zero; their
    /// values are left in `superb`.
    static func gesvd(_ mode: SVDMode, m: Int, n: Int, a: UnsafeMutablePointer<Self>, lda: Int,
                      s: UnsafeMutablePointer<Self>, u: UnsafeMutablePointer<Self>, ldu: Int,
                      vt: UnsafeMutablePointer<Self>, ldvt: Int, superb: UnsafeMutablePointer<Self>) -> Int
}

/// Whether an operand enters a product as itself or transposed.
public enum Transpose: Sendable, Equatable {
    case none
    case transposed
}

/// Which triangle of a square matrix a triangular or symmetric routine reads or writes.
public enum Triangle: Sendable, Equatable {
    case upper
    case lower
}

/// On which side the triangular matrix of `trsm`/`trmm` meets the other operand.
public enum Side: Sendable, Equatable {
    case left
    case right
}

/// A numerical failure LAPACK reports with `info > 0`. (`info < 0` means an argument was
/// illegal: a programming error, which traps.)
public enum LinalgError: Error, Equatable, CustomStringConvertible {
    /// The SVD's bidiagonal QR iteration did not converge (`info` superdiagonals left).
    case svdDidNotConverge(routine: String, info: Int)
    /// A factorisation met a zero or non-finite pivot.
    case singular(routine: String, info: Int)
    /// An input contained NaN or ±Inf.
    case nonFiniteInput(routine: String)

    public var description: String {
        switch self {
        case let .svdDidNotConverge(r, info): return "\(r): SVD did not converge (\(info) superdiagonals left)"
        case let .singular(r, info): return "\(r): singular input (info \(info))"
        case let .nonFiniteInput(r): return "\(r): input contains NaN or Inf"
        }
    }
}

/// Traps on LAPACK's `info < 0` (an illegal argument is a bug in this module).
func checkArguments(_ info: Int, _ routine: String) {
    precondition(info >= 0, "\(routine): illegal argument \(-info) (programming error)")
}
