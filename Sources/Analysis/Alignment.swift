import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN

/// Which singular vectors of ΔV_t = U Σ Eᵀ are compared with the Q vectors.
public enum SingularSide: String, Sendable, CaseIterable {
    /// E, the right singular vectors: they live in the presynaptic space, as the Q vectors do.
    case right
    /// U, the left singular vectors.
    case left
}

/// Gradient-subspace alignment of one sample (paper Figs. 1–2): at each step t, the cosines
/// A_t = Q_tᵀ E_t between the Lyapunov vectors and the singular vectors of ΔV_t.
public struct SampleAlignment: Sendable {
    public let trace: LyapunovTrace
    public let prefix: PrefixGradients
    public let side: SingularSide

    /// Runs the full-frame Lyapunov trace (K = H, frames kept) and the forward pass once.
    public init(model: RNNModel<Double>, sequence: [Double], steps: Int, label: Int, initialState: [Double]?,
                side: SingularSide = .right) throws {
        trace = try LyapunovTrace(model: model, sequence: sequence, steps: steps, initialState: initialState, keepFrames: true)
        var states = Matrix<Double>(rows: model.hidden, cols: steps + 1)
        for (t, h) in trace.states.enumerated() { states.setColumn(t, h) }
        prefix = PrefixGradients(model: model, states: states, label: label)
        self.side = side
    }

    /// A_t: H×H, entry (i, j) = q_i(t) · e_j(t) with e_j the j-th singular vector of ΔV_t
    /// (singular values in non-increasing order). Entries are cosines in [−1, 1].
    public func alignment(atStep t: Int) throws -> Matrix<Double> {
        try SampleAlignment.alignment(q: trace.frames![t - 1], deltaV: prefix.gradient(atStep: t), side: side)
    }

    /// Qᵀ E (or Qᵀ U) for a frame Q (H×K) and a gradient ΔV (H×H): K×H.
    public static func alignment(q: Matrix<Double>, deltaV: Matrix<Double>, side: SingularSide) throws -> Matrix<Double> {
        let f = try svd(deltaV, mode: .thin)
        switch side {
        case .right: return matmul(q, f.vt, .transposed, .transposed)  // Qᵀ E with E = Vtᵀ
        case .left: return matmul(q, f.u, .transposed, .none)
        }
    }
}

/// Figures 1–2 data over many samples.
public struct AlignmentStudy: Sendable {
    public struct Options: Sendable {
        public var samples = 25
        public var first = 5
        public var last = 5
        public var seed: UInt64 = 0
        public var side: SingularSide = .right
        public var histogramBins = 41
        public init() {}
    }

    public let hidden: Int
    public let steps: Int
    /// Q indices (0-based) of the three groups of ten.
    public let firstTen: [Int], lastTen: [Int], randomTen: [Int]
    /// Pooled alignment values of the first `first` singular vectors with each group.
    public var valuesFirst10: [Double] = [], valuesLast10: [Double] = [], valuesRandom10: [Double] = []
    /// T×H: std over samples and the first (last) `first` (`last`) singular vectors of A_t[i, j].
    public var stdByIndexFirst: [[Double]] = [], stdByIndexLast: [[Double]] = []
    /// Std of dot products between singular vectors of independent Gaussian H×H matrices.
    public var randomBaseline: Double = 0

    /// Runs the study on test images 0..<samples, each with h_0 ~ N(0, 1) drawn from the seed.
    public init(model: RNNModel<Double>, data: MNISTDataset, options o: Options,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        let h = model.hidden, task = model.task
        hidden = h
        steps = task.steps
        precondition(h >= 20 + 10, "the study needs H ≥ 30 for three disjoint groups of ten")
        var rng = SeededRandom(seed: o.seed)
        firstTen = Array(0..<10)
        lastTen = Array((h - 10)..<h)
        randomTen = rng.sample(10, from: h - 20).map { $0 + 10 }.sorted()
        // Per (t, i): running sums over samples × singular vectors for the std.
        var sumF = [[Double]](repeating: [Double](repeating: 0, count: h), count: steps), sqF = sumF, sumL = sumF, sqL = sumF
        let first = min(o.first, h), last = min(o.last, h)
        for n in 0..<o.samples {
            progress(n, o.samples)
            let seq = model.sequence(ofImage: data.image(n)).map(Double.init)
            let h0 = (0..<h).map { _ in rng.nextNormal() }
            let sample = try SampleAlignment(model: model, sequence: seq, steps: steps, label: data.label(n), initialState: h0, side: o.side)
            for t in 1...steps {
                let a = try sample.alignment(atStep: t)
                for j in 0..<first {
                    for i in firstTen { valuesFirst10.append(a[i, j]) }
                    for i in lastTen { valuesLast10.append(a[i, j]) }
                    for i in randomTen { valuesRandom10.append(a[i, j]) }
                }
                for i in 0..<h {
                    for j in 0..<first { let x = a[i, j]; sumF[t - 1][i] += x; sqF[t - 1][i] += x * x }
                    for j in (h - last)..<h { let x = a[i, j]; sumL[t - 1][i] += x; sqL[t - 1][i] += x * x }
                }
            }
        }
        progress(o.samples, o.samples)
        func std(_ s: Double, _ q: Double, _ n: Double) -> Double { max(0, q / n - (s / n) * (s / n)).squareRoot() }
        let nF = Double(o.samples * first), nL = Double(o.samples * last)
        stdByIndexFirst = (0..<steps).map { t in (0..<h).map { std(sumF[t][$0], sqF[t][$0], nF) } }
        stdByIndexLast = (0..<steps).map { t in (0..<h).map { std(sumL[t][$0], sqL[t][$0], nL) } }
        randomBaseline = try AlignmentStudy.randomBaseline(hidden: h, pairs: 4, seed: o.seed &+ 7)
    }

    /// Std of q·e over all pairs of right singular vectors of independent Gaussian matrices
    /// (≈ 1/√H for unit vectors in general position).
    public static func randomBaseline(hidden h: Int, pairs: Int, seed: UInt64) throws -> Double {
        var rng = SeededRandom(seed: seed)
        var values: [Double] = []
        for _ in 0..<pairs {
            let a = try svd(Matrix<Double>.gaussian(rows: h, cols: h, using: &rng))
            let b = try svd(Matrix<Double>.gaussian(rows: h, cols: h, using: &rng))
            values += matmul(a.vt, b.vt, .none, .transposed).storage
        }
        return populationStd(values)
    }
}

/// √(mean((x − x̄)²)) (population standard deviation, as NumPy's default).
public func populationStd(_ x: [Double]) -> Double {
    guard !x.isEmpty else { return .nan }
    let m = x.reduce(0, +) / Double(x.count)
    return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count)).squareRoot()
}
