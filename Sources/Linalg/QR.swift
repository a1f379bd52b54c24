/// The thin QR factorisation A = Q R of an m×n matrix, k = min(m, n):
/// Q is m×k with orthonormal columns, R is k×n upper triangular (upper trapezoidal when
/// n > m) with a non-negative diagonal.
///
/// Sign convention: LAPACK's Householder QR may give R_ii < 0; we flip row i of R and
/// column i of Q together so that R_ii ≥ 0. A zero diagonal keeps its column with sign +1
/// (and is stored as +0, so ln R_ii = −∞, never NaN). This makes the factorisation unique
/// for full-rank A.
public struct ThinQR<T: LinalgScalar>: Sendable {
    public var q: Matrix<T>
    public var r: Matrix<T>
}

/// Thin QR with diag(R) ≥ 0 (see `ThinQR`). Throws `LinalgError.nonFiniteInput` on NaN/Inf.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func thinQR<T: LinalgScalar>(_ a: Matrix<T>) throws -> ThinQR<T> {
    var ws = QRWorkspace<T>(rows: a.rows, cols: a.cols)
    var q = a
    var r = Matrix<T>(rows: min(a.rows, a.cols), cols: a.cols)
    try ws.factor(&q, r: &r)
    return ThinQR(q: q, r: r)
}

/// How `QRWorkspace` factors.
public enum QRMethod: Sendable, Equatable {
    /// LAPACK Householder QR (geqrf + orgqr), then the sign fix.
    case householder
    /// CholeskyQR2 (two passes of G = AᵀA, G = RᵀR, Q = A R⁻¹, all level-3 BLAS) when m ≥ n,
    /// falling back to Householder when a Cholesky factorisation fails or the first pass is
    /// not orthogonal enough for the second to finish the job (max |Q₁ᵀQ₁ − I| > 0.1, which
    /// happens when cond(A) ≳ 1e7). When it is used, Q has orthonormal columns to O(u) and
    /// QR = A to O(u)‖A‖ (Yamamoto et al. 2015), and diag(R) > 0 by construction.
    case automatic
}

/// Reusable workspace for repeated thin QR of same-shaped matrices (the Lyapunov stepper's
/// per-step QR): no allocation per call after the first.
///
/// `factor(&a, r: &r)` overwrites the m×n matrix `a` (m ≥ n required for in-place use) by its
/// Q factor (m×n) and writes R (n×n) with non-negative diagonal.
public struct QRWorkspace<T: LinalgScalar>: Sendable {
    public let rows: Int
    public let cols: Int
    public let method: QRMethod
    /// Which algorithm produced the last factorisation (for tests and profiling).
    public private(set) var lastUsedHouseholder = false
    private var tau: [T]
    private var work: [T]
    var gramStorage: [T] = []
    var originalStorage: [T] = []

    public init(rows: Int, cols: Int, method: QRMethod = .householder) {
        self.rows = rows
        self.cols = cols
        self.method = method
        if method == .automatic && rows >= cols {
            gramStorage = [T](repeating: 0, count: cols * cols)
            originalStorage = [T](repeating: 0, count: rows * cols)
        }
        let k = min(rows, cols)
        tau = [T](repeating: 0, count: max(k, 1))
        // Workspace query for geqrf and orgqr; keep the larger.
        var lwork = max(1, cols) * 64
        if rows > 0 && cols > 0 {
            var probe = [T](repeating: 0, count: rows * cols)
            var tauProbe = tau
            var optimal: T = 0
            probe.withUnsafeMutableBufferPointer { pa in tauProbe.withUnsafeMutableBufferPointer { pt in
                _ = T.geqrf(m: rows, n: cols, a: pa.baseAddress!, lda: rows, tau: pt.baseAddress!, work: &optimal, lwork: -1)
                lwork = max(lwork, Int(optimal))
                _ = T.orgqr(m: rows, n: k, k: k, a: pa.baseAddress!, lda: rows, tau: pt.baseAddress!, work: &optimal, lwork: -1)
                lwork = max(lwork, Int(optimal))
            }}
        }
        work = [T](repeating: 0, count: lwork)
    }

    /// Factors `a` in place: on return `a` holds Q (m×k, its columns beyond k dropped when
    /// n > m) and `r` holds R (k×n), diag(R) ≥ 0.
    public mutating func factor(_ a: inout Matrix<T>, r: inout Matrix<T>) throws {
        try factor(&a, r: &r, outerPointer: nil)
    }

    /// Factors `a` in place like `factor(_:r:)`, but may leave R = R₂·R₁ as its two n×n
    /// upper-triangular factors instead of forming the product (a trmm of n³/3 flops, 10 % of
    /// the BLAS time of a CholeskyQR2 step at n = 128). Returns true when it did: `inner` holds
    /// R₁ and `outer` R₂ (CholeskyQR2's two passes), and diag(R) = diag(outer)∘diag(inner)
    /// exactly, since a diagonal entry of a product of upper-triangular matrices has one term.
    /// Returns false when `inner` holds all of R (Householder fallback) and `outer` is
    /// untouched. `upperTriangularProduct(outer, inner)` forms R when it is needed. Requires m ≥ n.
    public mutating func factor(_ a: inout Matrix<T>, inner: inout Matrix<T>, outer: inout Matrix<T>) throws -> Bool {
        precondition(rows >= cols, "a split R needs m ≥ n")
        precondition(outer.rows == cols && outer.cols == cols, "outer factor must be \(cols)×\(cols)")
        var split = false
        try outer.storage.withUnsafeMutableBufferPointer { po in
            split = try factor(&a, r: &inner, outerPointer: po.baseAddress!)
        }
        return split
    }

    /// Shared body of both `factor` forms; `outerPointer` as in `choleskyQR2`. True when R was
    /// left split.
    ///
    /// Pre-specialised: called from another module, a generic method runs unspecialised, and the
    /// O(mn) element loops here and in CholeskyQR2 would then go through witness tables (the
    /// H = 128 benchmark took 2.2× as long). The generic entry checks `T` once and jumps to the
    /// Float or Double body, where the whole factorisation is specialised.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    @discardableResult
    private mutating func factor(_ a: inout Matrix<T>, r: inout Matrix<T>, outerPointer: UnsafeMutablePointer<T>?) throws -> Bool {
        precondition(a.rows == rows && a.cols == cols, "QRWorkspace is for \(rows)×\(cols), got \(a.rows)×\(a.cols)")
        let k = min(rows, cols)
        precondition(r.rows == k && r.cols == cols, "R must be \(k)×\(cols)")
        guard a.allFinite else { throw LinalgError.nonFiniteInput(routine: "geqrf") }
        if k == 0 { a = Matrix(rows: rows, cols: 0); return false }
        if method == .automatic && rows >= cols, choleskyQR2(&a, r: &r, outer: outerPointer) {
            lastUsedHouseholder = false
            return outerPointer != nil
        }
        lastUsedHouseholder = true
        try householder(&a, r: &r)
        return false
    }

    /// Householder QR (geqrf + orgqr) and the sign fix.
    private mutating func householder(_ a: inout Matrix<T>, r: inout Matrix<T>) throws {
        let k = min(rows, cols)
        let (m, n) = (rows, cols), lwork = work.count
        // 1. Householder QR: R in the upper triangle, reflectors below.
        var info = 0
        a.storage.withUnsafeMutableBufferPointer { pa in tau.withUnsafeMutableBufferPointer { pt in work.withUnsafeMutableBufferPointer { pw in
            info = T.geqrf(m: m, n: n, a: pa.baseAddress!, lda: m, tau: pt.baseAddress!, work: pw.baseAddress!, lwork: lwork)
        }}}
        checkArguments(info, "geqrf")
        // 2. Copy R out.
        for j in 0..<n {
            for i in 0..<k { r[i, j] = i <= j ? a[i, j] : 0 }
        }
        // 3. Form Q explicitly in the first k columns of a.
        if n > m { a = a.columns(0..<k) }
        a.storage.withUnsafeMutableBufferPointer { pa in tau.withUnsafeMutableBufferPointer { pt in work.withUnsafeMutableBufferPointer { pw in
            info = T.orgqr(m: m, n: k, k: k, a: pa.baseAddress!, lda: m, tau: pt.baseAddress!, work: pw.baseAddress!, lwork: lwork)
        }}}
        checkArguments(info, "orgqr")
        if a.cols > k { a = a.columns(0..<k) }
        // 4. Sign fix: diag(R) ≥ 0; zero keeps sign +1 (stored as +0).
        fixSigns(q: &a, r: &r)
    }
}

/// Flips row i of R and column i of Q wherever R_ii < 0; turns −0 into +0.
func fixSigns<T: LinalgScalar>(q: inout Matrix<T>, r: inout Matrix<T>) {
    let k = min(r.rows, r.cols)
    let m = q.rows
    for i in 0..<k {
        let d = r[i, i]
        if d < 0 {
            for j in i..<r.cols { r[i, j] = -r[i, j] }
            q.storage.withUnsafeMutableBufferPointer { p in
                for row in 0..<m { p[row + i * m] = -p[row + i * m] }
            }
        } else if d == 0 {
            r[i, i] = 0  // +0, never −0
        }
    }
}
