import Linalg
import Testing
import TestSupport

/// Invariants of the BLAS/LAPACK wrappers, in Float64. Tolerances: products and
/// reconstructions of O(1) matrices of size ≤ 64 agree to 1e-12 relative (a few hundred ulps
/// of accumulated rounding); orthonormality to 1e-12 absolute.
@Suite struct GemmTests {
    /// Naive triple loop: the independent reference for gemm.
    func reference(_ a: Matrix<Double>, _ b: Matrix<Double>, _ ta: Transpose, _ tb: Transpose) -> Matrix<Double> {
        let A = ta == .none ? a : a.transposed, B = tb == .none ? b : b.transposed
        var c = Matrix<Double>(rows: A.rows, cols: B.cols)
        for i in 0..<A.rows { for j in 0..<B.cols { var s = 0.0; for k in 0..<A.cols { s += A[i, k] * B[k, j] }; c[i, j] = s } }
        return c
    }

    @Test(arguments: [(Transpose.none, Transpose.none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed)])
    func gemmMatchesTripleLoop(_ ta: Transpose, _ tb: Transpose) {
        var rng = SeededRandom(seed: 1)
        let a = Matrix<Double>.gaussian(rows: ta == .none ? 7 : 5, cols: ta == .none ? 5 : 7, using: &rng)
        let b = Matrix<Double>.gaussian(rows: tb == .none ? 5 : 3, cols: tb == .none ? 3 : 5, using: &rng)
        let c = matmul(a, b, ta, tb)
        #expect(c.rows == 7 && c.cols == 3)
        #expect(relativeError(c, reference(a, b, ta, tb)) < 1e-13)
    }

    @Test func gemmOnColumnBlocksWithBeta() {
        var rng = SeededRandom(seed: 2)
        let a = Matrix<Double>.gaussian(rows: 4, cols: 4, using: &rng)
        let big = Matrix<Double>.gaussian(rows: 4, cols: 9, using: &rng)
        var out = Matrix<Double>.gaussian(rows: 4, cols: 9, using: &rng)
        let before = out
        // out[:, 6..<9] = 2·A·big[:, 3..<6] + 0.5·out[:, 6..<9]
        gemm(.none, a, .none, big, bColumns: 3..<6, alpha: 2, beta: 0.5, into: &out, columns: 6..<9)
        let expected = 2 * reference(a, big.columns(3..<6), .none, .none) + 0.5 * before.columns(6..<9)
        #expect(relativeError(out.columns(6..<9), expected) < 1e-13)
        #expect(out.columns(0..<6) == before.columns(0..<6), "columns outside the block are untouched")
    }

    @Test func gemvBothWays() {
        var rng = SeededRandom(seed: 3)
        let a = Matrix<Double>.gaussian(rows: 6, cols: 4, using: &rng)
        let x = (0..<4).map { Double($0) - 1.5 }, z = (0..<6).map { Double($0) * 0.25 }
        let y = matvec(a, x), w = matvec(a, z, .transposed)
        let yRef = reference(a, Matrix(rows: 4, cols: 1, columnMajor: x), .none, .none).storage
        let wRef = reference(a, Matrix(rows: 6, cols: 1, columnMajor: z), .transposed, .none).storage
        #expect(relativeError(y, yRef) < 1e-13)
        #expect(relativeError(w, wRef) < 1e-13)
    }

    @Test func floatGemmAgreesWithDouble() {
        var rng = SeededRandom(seed: 4)
        let a = Matrix<Double>.gaussian(rows: 16, cols: 16, using: &rng), b = Matrix<Double>.gaussian(rows: 16, cols: 8, using: &rng)
        let cf = matmul(a.converted(to: Float.self), b.converted(to: Float.self)).converted(to: Double.self)
        // Float32: 16-term dot products of O(1) values, relative error ≲ 16·2⁻²⁴ ≈ 1e-6.
        #expect(relativeError(cf, matmul(a, b)) < 1e-5)
    }
}

@Suite struct QRTests {
    func checkQR(_ a: Matrix<Double>, _ label: String) throws {
        let f = try thinQR(a)
        let k = min(a.rows, a.cols)
        #expect(f.q.rows == a.rows && f.q.cols == k, "\(label): Q shape")
        #expect(f.r.rows == k && f.r.cols == a.cols, "\(label): R shape")
        #expect(orthonormalityError(f.q) < 1e-12, "\(label): QᵀQ = I")
        let scale = max(a.frobeniusNorm, 1)
        #expect(matmul(f.q, f.r).maxAbsDifference(a) / scale < 1e-12, "\(label): QR = A")
        for i in 0..<k {
            #expect(f.r[i, i] >= 0 && f.r[i, i].sign == .plus, "\(label): diag(R) ≥ 0 at \(i)")
            for j in 0..<min(i, a.cols) { #expect(f.r[i, j] == 0, "\(label): R upper triangular") }
        }
    }

    @Test func randomShapes() throws {
        var rng = SeededRandom(seed: 10)
        try checkQR(Matrix.gaussian(rows: 12, cols: 12, using: &rng), "square")
        try checkQR(Matrix.gaussian(rows: 40, cols: 7, using: &rng), "tall")
        try checkQR(Matrix.gaussian(rows: 5, cols: 9, using: &rng), "wide")
        try checkQR(Matrix([[-3.0]]), "1×1 negative")
        try checkQR(Matrix([[0.0]]), "1×1 zero")
    }

    @Test func oneByOneSignAndValue() throws {
        let f = try thinQR(Matrix([[-3.0]]))
        #expect(f.r[0, 0] == 3 && f.q[0, 0] == -1)
    }

    @Test func rankDeficientKeepsZeroDiagonalPositive() throws {
        // Column 2 = column 0 + column 1, and column 3 is zero: R_22 = R_33 = 0 up to rounding.
        var rng = SeededRandom(seed: 11)
        var a = Matrix<Double>.gaussian(rows: 8, cols: 4, using: &rng)
        for i in 0..<8 { a[i, 2] = a[i, 0] + a[i, 1]; a[i, 3] = 0 }
        try checkQR(a, "rank deficient")
        let f = try thinQR(a)
        #expect(abs(f.r[2, 2]) < 1e-12 * a.frobeniusNorm)
        #expect(f.r[3, 3] == 0 && f.r[3, 3].sign == .plus, "an exactly zero pivot is +0, so ln gives −∞ not NaN")
    }

    @Test func uniqueForFullRank() throws {
        // With diag(R) > 0 the factorisation is unique: QR of Q₀·R₀ returns Q₀ and R₀.
        var rng = SeededRandom(seed: 12)
        let q0 = Matrix<Double>.randomOrthonormal(rows: 10, cols: 6, using: &rng)
        var r0 = Matrix<Double>(rows: 6, cols: 6)
        for i in 0..<6 { for j in i..<6 { r0[i, j] = i == j ? 1 + Double(i) : rng.nextNormal() } }
        let f = try thinQR(matmul(q0, r0))
        #expect(f.q.maxAbsDifference(q0) < 1e-12)
        #expect(f.r.maxAbsDifference(r0) < 1e-12)
    }

    @Test func workspaceReuseMatchesFreshFactorisation() throws {
        var rng = SeededRandom(seed: 13)
        var ws = QRWorkspace<Double>(rows: 16, cols: 5)
        for _ in 0..<3 {
            let a = Matrix<Double>.gaussian(rows: 16, cols: 5, using: &rng)
            var q = a, r = Matrix<Double>(rows: 5, cols: 5)
            try ws.factor(&q, r: &r)
            let fresh = try thinQR(a)
            #expect(q.maxAbsDifference(fresh.q) < 1e-14 && r.maxAbsDifference(fresh.r) < 1e-14)
        }
    }

    @Test func nonFiniteInputThrows() {
        var a = Matrix<Double>.identity(3)
        a[1, 1] = .nan
        #expect(throws: LinalgError.nonFiniteInput(routine: "geqrf")) { try thinQR(a) }
    }
}

@Suite struct SVDTests {
    func checkSVD(_ a: Matrix<Double>, mode: SVDMode, _ label: String) throws {
        let f = try svd(a, mode: mode)
        let k = min(a.rows, a.cols)
        #expect(f.s.count == k)
        for i in 0..<k { #expect(f.s[i] >= 0, "\(label): σ ≥ 0") }
        for i in 1..<max(k, 1) { #expect(f.s[i - 1] >= f.s[i], "\(label): sorted") }
        #expect(orthonormalityError(f.u) < 1e-12, "\(label): UᵀU = I")
        #expect(orthonormalityError(f.vt.transposed) < 1e-12, "\(label): VᵀV = I")
        // Reconstruct with the first k columns/rows.
        var us = f.u.columns(0..<k)
        for j in 0..<k { for i in 0..<us.rows { us[i, j] *= f.s[j] } }
        var vtk = Matrix<Double>(rows: k, cols: a.cols)
        for i in 0..<k { for j in 0..<a.cols { vtk[i, j] = f.vt[i, j] } }
        #expect(matmul(us, vtk).maxAbsDifference(a) / max(a.frobeniusNorm, 1) < 1e-12, "\(label): UΣVᵀ = A")
        if mode == .full {
            #expect(f.u.cols == a.rows && f.vt.rows == a.cols, "\(label): full shapes")
        }
    }

    @Test func shapesAndModes() throws {
        var rng = SeededRandom(seed: 20)
        for mode in [SVDMode.thin, .full] {
            try checkSVD(Matrix.gaussian(rows: 9, cols: 9, using: &rng), mode: mode, "square")
            try checkSVD(Matrix.gaussian(rows: 30, cols: 6, using: &rng), mode: mode, "tall")
            try checkSVD(Matrix.gaussian(rows: 4, cols: 11, using: &rng), mode: mode, "wide")
            try checkSVD(Matrix([[-2.5]]), mode: mode, "1×1")
        }
    }

    @Test func knownSingularValuesOfRankDeficientMatrix() throws {
        // A = Q₁ diag(5, 2, 0, 0) Q₂ᵀ with random orthonormal Q's: σ = (5, 2, 0, 0).
        var rng = SeededRandom(seed: 21)
        let q1 = Matrix<Double>.randomOrthonormal(rows: 7, cols: 4, using: &rng)
        let q2 = Matrix<Double>.randomOrthonormal(rows: 5, cols: 4, using: &rng)
        var d = Matrix<Double>(rows: 4, cols: 4); d[0, 0] = 5; d[1, 1] = 2
        let a = matmul(matmul(q1, d), q2, .none, .transposed)
        let f = try svd(a)
        #expect(abs(f.s[0] - 5) < 1e-12 && abs(f.s[1] - 2) < 1e-12)
        #expect(f.s[2] < 1e-12 && f.s[3] < 1e-12)
        try checkSVD(a, mode: .thin, "rank 2")
    }

    @Test func nonFiniteInputThrows() {
        var a = Matrix<Double>.identity(2)
        a[0, 1] = .infinity
        #expect(throws: LinalgError.nonFiniteInput(routine: "gesdd")) { try svd(a) }
    }
}

@Suite struct KernelTests {
    @Test func adamMatchesClosedFormFirstStep() {
        // At step 1, m̂ = g and v̂ = g², so θ moves by −lr·g/(|g| + ε) ≈ −lr·sign(g).
        var theta: [Double] = [1, -2, 0.5], m = [Double](repeating: 0, count: 3), v = m
        let g: [Double] = [0.3, -4, 1e-3]
        adamUpdate(&theta, gradient: g, m: &m, v: &v, lr: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, step: 1)
        for (k, t0) in [1.0, -2, 0.5].enumerated() {
            #expect(abs(theta[k] - (t0 - 0.01 * g[k] / (abs(g[k]) + 1e-8))) < 1e-12)
        }
    }

    @Test func tanhForwardBackwardAgainstFiniteDifference() {
        let a = Matrix<Double>([[0.3, -1.2], [2.0, 0.0]])
        var h = Matrix<Double>(rows: 2, cols: 2)
        tanhForward(a, columns: 0..<2, into: &h, columns: 0..<2)
        let ones = Matrix<Double>(rows: 2, cols: 2, repeating: 1)
        var g = Matrix<Double>(rows: 2, cols: 2)
        tanhBackward(ones, columns: 0..<2, h: h, columns: 0..<2, into: &g, columns: 0..<2)
        for k in 0..<4 {
            let x = a.storage[k], eps = 1e-6
            let fd = (Foundation.tanh(x + eps) - Foundation.tanh(x - eps)) / (2 * eps)
            #expect(abs(g.storage[k] - fd) < 1e-9)
        }
    }

    @Test func seededRandomIsReproducibleAndRoughlyNormal() {
        var a = SeededRandom(seed: 99), b = SeededRandom(seed: 99)
        let xs = (0..<20000).map { _ in a.nextNormal() }
        #expect(xs == (0..<20000).map { _ in b.nextNormal() })
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
        // Standard errors: mean 1/√n ≈ 0.007, variance √(2/n) ≈ 0.01; 5σ bounds.
        #expect(abs(mean) < 0.035 && abs(variance - 1) < 0.05)
        var c = SeededRandom(seed: 5)
        let p = c.permutation(100)
        #expect(p.sorted() == Array(0..<100) && p != Array(0..<100))
    }
}

import Foundation

/// CholeskyQR2 (`QRMethod.automatic`) against Householder on the same inputs: Q and R agree
/// to 1e-12 (both are the unique QR with positive diagonal) for well-conditioned matrices, and
/// ill-conditioned or rank-deficient inputs fall back to Householder.
@Suite struct CholeskyQRTests {
    func factor(_ a: Matrix<Double>, _ method: QRMethod) throws -> (Matrix<Double>, Matrix<Double>, Bool) {
        var ws = QRWorkspace<Double>(rows: a.rows, cols: a.cols, method: method)
        var q = a, r = Matrix<Double>(rows: a.cols, cols: a.cols)
        try ws.factor(&q, r: &r)
        return (q, r, ws.lastUsedHouseholder)
    }

    @Test(arguments: [(64, 64), (128, 32), (40, 1), (1, 1)])
    func agreesWithHouseholder(m: Int, n: Int) throws {
        var rng = SeededRandom(seed: UInt64(m * 1000 + n))
        let a = Matrix<Double>.gaussian(rows: m, cols: n, using: &rng)
        let (q1, r1, fellBack) = try factor(a, .automatic)
        let (q2, r2, _) = try factor(a, .householder)
        #expect(!fellBack, "a Gaussian matrix is well conditioned")
        #expect(q1.maxAbsDifference(q2) < 1e-12)
        #expect(r1.maxAbsDifference(r2) / max(r2.frobeniusNorm, 1) < 1e-12)
        #expect(orthonormalityError(q1) < 1e-13)
        #expect(r1.diagonal.allSatisfy { $0 > 0 })
    }

    @Test func illConditionedFallsBack() throws {
        // Columns scaled over 12 orders of magnitude: cond ≈ 1e12 > 1e8, Cholesky of AᵀA is useless.
        var rng = SeededRandom(seed: 5)
        var a = Matrix<Double>.gaussian(rows: 30, cols: 6, using: &rng)
        for j in 0..<6 { for i in 0..<30 { a[i, j] *= pow(10, -2.4 * Double(j)) } }
        a = matmul(a, Matrix<Double>.randomOrthonormal(rows: 6, cols: 6, using: &rng))
        let (q, r, fellBack) = try factor(a, .automatic)
        #expect(fellBack)
        #expect(orthonormalityError(q) < 1e-12)
        #expect(matmul(q, r).maxAbsDifference(a) / a.frobeniusNorm < 1e-12)
    }

    @Test func rankDeficientFallsBackWithZeroPivot() throws {
        var a = Matrix<Double>.identity(5)
        a[3, 3] = 0
        let (_, r, fellBack) = try factor(a, .automatic)
        #expect(fellBack && r[3, 3] == 0 && r[3, 3].sign == .plus)
    }

    /// `factor(_:inner:outer:)` leaves R = R₂R₁ split; forming it with `upperTriangularProduct`
    /// gives the R and Q of `factor(_:r:)` bit for bit, and diag(R₂)∘diag(R₁) is diag(R) exactly.
    @Test(arguments: [(48, 48), (96, 16), (7, 1)])
    func splitRFormsTheSameR(m: Int, n: Int) throws {
        var rng = SeededRandom(seed: UInt64(7 * m + n))
        let a = Matrix<Double>.gaussian(rows: m, cols: n, using: &rng)
        let (q, r, _) = try factor(a, .automatic)
        var ws = QRWorkspace<Double>(rows: m, cols: n, method: .automatic)
        var qSplit = a, inner = Matrix<Double>(rows: n, cols: n), outer = Matrix<Double>(rows: n, cols: n)
        let split = try ws.factor(&qSplit, inner: &inner, outer: &outer)
        #expect(split)
        #expect(qSplit == q)
        #expect(upperTriangularProduct(outer, inner) == r)
        for k in 0..<n { #expect(outer[k, k] * inner[k, k] == r[k, k]) }
    }

    /// After a Householder fallback the split form reports no split, `inner` is all of R and
    /// `outer` is left as it was.
    @Test func splitRAfterFallbackIsWhole() throws {
        var bad = Matrix<Double>.identity(5)
        bad[3, 3] = 0
        var ws5 = QRWorkspace<Double>(rows: 5, cols: 5, method: .automatic)
        var qBad = bad, innerBad = Matrix<Double>(rows: 5, cols: 5), outerBad = Matrix<Double>(rows: 5, cols: 5, repeating: 7)
        let (_, rBad, _) = try factor(bad, .automatic)
        #expect(try !ws5.factor(&qBad, inner: &innerBad, outer: &outerBad))
        #expect(innerBad == rBad && outerBad == Matrix(rows: 5, cols: 5, repeating: 7))
    }

    @Test func moderatelyConditionedStaysOnCholesky() throws {
        // cond ≈ 1e5: CholeskyQR2 handles it and is as accurate as Householder.
        var rng = SeededRandom(seed: 6)
        var a = Matrix<Double>.gaussian(rows: 50, cols: 8, using: &rng)
        for j in 0..<8 { for i in 0..<50 { a[i, j] *= pow(10, -0.7 * Double(j)) } }
        let (q1, r1, fellBack) = try factor(a, .automatic)
        let (_, r2, _) = try factor(a, .householder)
        #expect(!fellBack)
        #expect(orthonormalityError(q1) < 1e-13)
        for k in 0..<8 { #expect(abs(r1[k, k] / r2[k, k] - 1) < 1e-10, "r_kk relative agreement at k = \(k)") }
    }
}

/// `allWithinMagnitude` (the trainer's ±1e6 weight guard, run after every batch) against the
/// plain definition |x| ≤ limit, with the edge cases a guard must not pass: NaN, ±∞, a value
/// just past the limit on either side; the limit itself passes.
@Suite struct MagnitudeGuardTests {
    @Test(arguments: [Float(1e6), 2.5])
    func matchesThePlainDefinition(_ limit: Float) {
        let next = limit.nextUp
        let cases: [[Float]] = [[], [0, limit, -limit], [1, next], [-next, 0], [.nan], [0, .infinity], [-.infinity], [1, 2, .nan, 3]]
        for x in cases {
            let plain = x.allSatisfy { !$0.isNaN && abs($0) <= limit }
            #expect(allWithinMagnitude(x, limit) == plain, "\(x)")
            #expect(allWithinMagnitude(x.map(Double.init), Double(limit)) == plain, "\(x) in Float64")
        }
    }
}
