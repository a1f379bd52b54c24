/// A square orthogonal frame kept implicit, as LAPACK's Householder reflectors: the Q of the
/// last `factor(_:)`, Q = H_1⋯H_n·S with S = diag(±1) chosen so that diag(R) ≥ 0 (a zero
/// diagonal keeps +1), the same unique thin QR as `QRWorkspace` gives for a full-rank matrix.
///
/// Why: the Lyapunov step with a full frame (K = N = n) needs only D·Q_{t−1} and R_t. With Q
/// kept as reflectors that is xORMQR applied to V from the right (2n³ flops) and xGEQRF
/// (4/3 n³): 3.3n³ a step, against 6.7n³ for an explicit product and CholeskyQR2. Measured on
/// the AMD EPYC (Zen kernels) at n = 512: 24–31 against 32–48 ms a step (bench/micro/
/// full_step_variants.c); at n = 128 CholeskyQR2 stays faster, so `LyapunovStepper` uses this
/// from `minimumSize` on — with BLAS on one thread: on two, CholeskyQR2's gemm and syrk scale
/// and this does not (whole `bench ftle-full`, n = 512: 0.79× the time on one thread, 1.25× on two). Q is formed explicitly (xORGQR, 4/3 n³) only when a caller reads
/// `explicitQ`.
///
/// Storage: column-major n×n, lda = n, like every `Matrix`.
public struct HouseholderFrame<T: LinalgScalar>: Sendable {
    /// Below this size CholeskyQR2 with an explicit frame is faster (see above).
    public static var minimumSize: Int { 256 }

    public let size: Int
    /// geqrf's output of the last factorisation: R on and above the diagonal, the reflectors'
    /// vectors below it.
    private var reflectors: Matrix<T>
    private var tau: [T]
    /// S: +1 or −1 per column.
    private var signs: [T]
    private var work: [T]

    /// A frame of size n; `factor(_:)` must be called before it holds a Q.
    public init(size n: Int) {
        precondition(n >= 1)
        size = n
        reflectors = Matrix(rows: n, cols: n)
        tau = [T](repeating: 0, count: n)
        signs = [T](repeating: 1, count: n)
        work = [T](repeating: 0, count: max(1, n) * 64)
    }

    /// Factors the n×n `a` = Q·R, keeping Q as this frame; `a` gets back the buffer of the
    /// previous reflectors (its contents are scratch). Returns diag(R) ≥ 0.
    /// Throws `LinalgError.nonFiniteInput` on NaN/Inf (the frame is then unchanged).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public mutating func factor(_ a: inout Matrix<T>) throws -> [T] {
        precondition(a.rows == size && a.cols == size, "HouseholderFrame is \(size)×\(size), got \(a.rows)×\(a.cols)")
        guard a.allFinite else { throw LinalgError.nonFiniteInput(routine: "geqrf") }
        let n = size, lwork = work.count
        var info = 0
        a.storage.withUnsafeMutableBufferPointer { pa in tau.withUnsafeMutableBufferPointer { pt in work.withUnsafeMutableBufferPointer { pw in
            info = T.geqrf(m: n, n: n, a: pa.baseAddress!, lda: n, tau: pt.baseAddress!, work: pw.baseAddress!, lwork: lwork)
        }}}
        checkArguments(info, "geqrf")
        swap(&reflectors, &a)
        var diagonal = [T](repeating: 0, count: n)
        for i in 0..<n {
            let d = reflectors[i, i]
            signs[i] = d < 0 ? -1 : 1
            diagonal[i] = d < 0 ? -d : (d == 0 ? 0 : d)   // −0 becomes +0
        }
        return diagonal
    }

    /// out = m · Q for an n-column `m` (out is resized to m's shape): xORMQR from the right on a
    /// copy, then the sign columns.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func rightMultiply(_ m: Matrix<T>, into out: inout Matrix<T>) {
        precondition(m.cols == size, "m·Q needs \(size) columns, got \(m.cols)")
        if out.rows != m.rows || out.cols != m.cols { out = Matrix(rows: m.rows, cols: m.cols) }
        out.storage.withUnsafeMutableBufferPointer { $0.update(fromContentsOf: m.storage) }
        var scratch = work
        let n = size, rows = m.rows
        var info = 0
        reflectors.storage.withUnsafeBufferPointer { pa in tau.withUnsafeBufferPointer { pt in
            out.storage.withUnsafeMutableBufferPointer { pc in scratch.withUnsafeMutableBufferPointer { pw in
                info = T.ormqrRight(m: rows, n: n, k: n, a: pa.baseAddress!, lda: n, tau: pt.baseAddress!,
                                    c: pc.baseAddress!, ldc: max(rows, 1), work: pw.baseAddress!, lwork: pw.count)
            }}
        }}
        checkArguments(info, "ormqr")
        for j in 0..<n where signs[j] < 0 {
            for i in 0..<rows { out[i, j] = -out[i, j] }
        }
    }

    /// Q as an explicit n×n matrix (xORGQR, 4/3 n³ flops).
    public var explicitQ: Matrix<T> {
        var q = reflectors, scratch = work
        let n = size
        var info = 0
        q.storage.withUnsafeMutableBufferPointer { pq in tau.withUnsafeBufferPointer { pt in scratch.withUnsafeMutableBufferPointer { pw in
            info = T.orgqr(m: n, n: n, k: n, a: pq.baseAddress!, lda: n, tau: pt.baseAddress!, work: pw.baseAddress!, lwork: pw.count)
        }}}
        checkArguments(info, "orgqr")
        for j in 0..<n where signs[j] < 0 {
            for i in 0..<n { q[i, j] = -q[i, j] }
        }
        return q
    }

    /// Q's first column, Q·e₁, in O(n): H_k e₁ = e₁ for k ≥ 2 (v_k is zero above row k), so
    /// Q e₁ = s₁ H₁ e₁ = s₁ (e₁ − τ₁ v₁) with v₁ = (1, reflector entries below the diagonal).
    public var firstColumn: [T] {
        let t = tau[0], s = signs[0]
        var x = [T](repeating: 0, count: size)
        x[0] = s * (1 - t)
        for i in 1..<size { x[i] = -s * t * reflectors[i, 0] }
        return x
    }

    /// R (n×n upper triangular, diag ≥ 0) of the last factorisation.
    public var r: Matrix<T> {
        var out = Matrix<T>(rows: size, cols: size)
        for j in 0..<size { for i in 0...j { out[i, j] = signs[i] * reflectors[i, j] } }
        return out
    }
}
