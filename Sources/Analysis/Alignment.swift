import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Statistics

/// Which singular vectors of ΔV_t = U Σ Eᵀ are compared with the Q vectors.
public enum SingularSide: String, Sendable, CaseIterable {
    /// E, the right singular vectors: they live in the presynaptic space, as the Q vectors do.
    case right
    /// U, the left singular vectors.
    case left
}

/// Figures 1–2 data over many samples.
public struct AlignmentStudy: Sendable {
    /// How the three groups' alignment values become one number each.
    public enum Statistic: String, Sendable, CaseIterable {
        /// The population std of all values of a group, pooled over t, samples and singular vectors.
        case pooled
        /// The unbiased std over (samples × the group's ten Q indices) for each (t, singular
        /// vector), averaged over t and singular vectors — the paper's code (`alignment.py`).
        case meanPerStep = "mean-per-step"
    }

    /// Whether the singular vectors past ΔV_t's numerical rank (`SampleAlignment.numericalRank`:
    /// σ_j ≤ max(m, n)·ε·σ_1) may enter the statistics. They span ΔV_t's null space, in which
    /// LAPACK returns an arbitrary orthonormal basis that moves with the BLAS kernels; ΔV_t has
    /// rank ≤ t, so for the row-wise task (T = 28, H = 128) every "last five" singular vector of
    /// all H is one of them.
    public enum NullSpace: String, Sendable, CaseIterable {
        /// Only singular vectors inside the rank (see `SampleColumns`): ftle's default.
        case excluded
        /// The first and last of all H singular vectors, as the paper's code takes them.
        case included
    }

    /// Whether ΔV_t comes from the trace's own h_0 or from a second, independent one.
    public enum GradientInitialState: String, Sendable, CaseIterable {
        case same, independent
    }

    public struct Options: Sendable {
        public var samples = 25
        public var first = 5
        public var last = 5
        public var seed: UInt64 = 0
        public var side: SingularSide = .right
        public var histogramBins = 41
        public var jacobian: JacobianConvention = .forward
        public var statistic: Statistic = .pooled
        public var gradientInitialState: GradientInitialState = .same
        /// 1-based inclusive range the ten random Q indices are drawn from (nil: 11…H−10,
        /// disjoint from the first and last ten).
        public var randomRange: ClosedRange<Int>? = nil
        public var nullSpace: NullSpace = .excluded
        /// The tangent frame compared: Q vectors at steps 1…T (or W+1…T−W), or CLVs at steps W+1…T−W.
        public var frame: AlignmentFrame = .q
        public init() {}

        /// The reference code's choices (github.com/ryanavogt/FTLE-gradients at c898f0c): Dᵀ
        /// propagation, the mean per-step unbiased std, an independent h_0 for the gradient,
        /// random indices from 6…H−5 (6–123 at H = 128), the first and last singular vectors of
        /// all H (null space included).
        public static func paperCode(hidden h: Int) -> Options {
            var o = Options()
            o.jacobian = .transposed; o.statistic = .meanPerStep; o.gradientInitialState = .independent
            o.nullSpace = .included
            o.randomRange = 6...(h - 5)
            return o
        }
    }

    /// The dimension of the singular vectors' space (H: V's, or a gate block's, presynaptic size).
    public let hidden: Int
    /// Number of Q vectors compared, K (= H for a vanilla RNN or a GRU, 2H for an LSTM).
    public let qCount: Int
    /// T, the steps of each sequence.
    public let steps: Int
    /// The steps compared (1…T for the Q frame, W+1…T−W for the CLV frame): the rows of
    /// `stdByIndexFirst`, `stdByIndexLast`, `rankByStep` and `rankByStepMax`, first step first.
    public let comparedSteps: ClosedRange<Int>
    /// Q indices (0-based) of the three groups of ten.
    public let firstTen: [Int], lastTen: [Int], randomTen: [Int]
    /// Pooled alignment values of the first `first` singular vectors with each group.
    public var valuesFirst10: [Double] = [], valuesLast10: [Double] = [], valuesRandom10: [Double] = []
    /// (steps compared)×K: std over samples and the first (last) `first` (`last`) singular vectors of A_t[i, j];
    /// NaN at a step where no sample has such a vector (the trailing ones inside a rank ≤ `first`).
    public var stdByIndexFirst: [[Double]] = [], stdByIndexLast: [[Double]] = []
    /// The numerical rank of ΔV_t at each compared step: smallest and largest over the samples.
    public var rankByStep: [Int] = [], rankByStepMax: [Int] = []
    /// ‖q_h‖ of each Q vector (K), averaged over samples and steps: the part of q in the
    /// singular vectors' space (all 1 for one vanilla or GRU layer; empty if not computed).
    public var qNormByIndex: [Double] = []

    /// The mean ‖q_h‖ over Q indices `indices` (0-based; a group's): NaN when not computed.
    public func meanQNorm(_ indices: [Int]) -> Double {
        guard qNormByIndex.count == qCount, !indices.isEmpty else { return .nan }
        return indices.reduce(0) { $0 + qNormByIndex[$1] } / Double(indices.count)
    }
    /// Std of dot products between singular vectors of independent Gaussian matrices, in the
    /// dimension the cosines live in (≈ 1/√N).
    public var randomBaseline: Double = 0
    /// The three groups' statistics (`Options.statistic`).
    public var stdFirst10 = 0.0, stdLast10 = 0.0, stdRandom10 = 0.0
    /// Per-sample summaries for resampling the samples (`standardErrors`).
    var resampling = AlignmentResampling()

    /// Runs the study on images `indices` of `data` (default 0..<samples), each with h_0 ~ N(0, 1)
    /// drawn from the seed (and a second draw for the gradient when asked). The samples run on
    /// `threads` workers (a `WorkerPool`); every h_0 is drawn up front and the samples' values
    /// are folded in sample order, so the result does not depend on `threads`. `progress(done,
    /// total)` is called in order, on the calling thread.
    public init(model: RNNModel<Double>, data: MNISTDataset, indices: [Int]? = nil, options o: Options, threads: Int = 1,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        let images = indices ?? Array(0..<o.samples)
        precondition(images.count == o.samples)
        try self.init(model: model, sequences: images.map { model.sequence(ofImage: data.image($0)).map(Double.init) },
                      labels: images.map { data.label($0) }, steps: model.task.steps, options: o, threads: threads, progress: progress)
    }

    /// Runs the study on `sequences` (each T×I values step-major, `options.samples` of them)
    /// with their labels: what the image form runs, for a vanilla model (the top layer's V) and
    /// any data.
    public init(model: RNNModel<Double>, sequences: [[Double]], labels: [Int], steps: Int, options o: Options, threads: Int = 1,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        let network = Network(model)
        try self.init(network: network, block: .top(of: network), sequences: sequences, labels: labels, steps: steps,
                      options: o, threads: threads, progress: progress)
    }

    /// The study of `block` (a layer's `weight_hh`, or one gate's rows of it) of any network
    /// over `sequences` (T×I values each) with their labels: Q groups over the K = N Lyapunov
    /// vectors of the whole state, singular vectors of ΔW_t in the layer's h (see
    /// `SampleAlignment`; `qComponents` says how the two meet). The random baseline is taken
    /// in the dimension the cosines live in (N for `.state`, H for `.renormalised`).
    public init(network: Network, block: WeightBlock, qComponents: QComponents = .state, sequences: [[Double]], labels: [Int],
                steps: Int, options o: Options, threads: Int = 1, progress: (Int, Int) -> Void = { _, _ in }) throws {
        precondition(sequences.count == o.samples && labels.count == o.samples)
        let place = try block.resolve(in: network)
        let singularCount = o.side == .right ? place.columns : place.rows.count
        guard let compared = o.frame.comparedSteps(steps: steps) else {
            throw CellError("the window W = \(o.frame.window ?? 0) needs T ≥ 2W + 1 steps; the sequences have T = \(steps)")
        }
        try self.init(qCount: network.stateSize, hidden: singularCount, steps: steps, compared: compared, options: o, threads: threads,
                      baselineDimension: qComponents == .state ? network.stateSize : place.columns,
                      progress: progress) { n, h0, gradientH0, body in
            try SampleAlignment.forEachRankedStep(network: network, block: block, sequence: sequences[n], steps: steps, label: labels[n],
                                                  initialState: h0, side: o.side, jacobian: o.jacobian, qComponents: qComponents,
                                                  gradientInitialState: gradientH0, frame: o.frame, body)
        }
    }

    /// The study over any per-sample alignment: `alignments(n, s_0, gradient s_0, body)` calls
    /// `body(t, A_t)` for t in `compared` (default 1…T) in order (A_t is `qCount` × `hidden`: Q vectors × singular
    /// vectors; only the compared columns of each are kept) for sample n, its trace
    /// started at s_0 (`qCount` values drawn N(0, 1)) and its gradient at the second draw when
    /// `options.gradientInitialState` is independent. Q groups: the first ten, the last ten of
    /// `qCount`, and ten seeded random others.
    init(qCount k: Int, hidden h: Int, steps: Int, compared: ClosedRange<Int>? = nil, options o: Options, threads: Int, baselineDimension: Int? = nil,
         progress: (Int, Int) -> Void,
         alignments: @escaping @Sendable (Int, [Double], [Double]?, (Int, SampleAlignment.Ranked) throws -> Void) throws -> Void) throws {
        hidden = h
        qCount = k
        self.steps = steps
        let comparedSteps = compared ?? 1...steps
        self.comparedSteps = comparedSteps
        let rows = comparedSteps.count
        precondition(k >= 20 + 10, "the study needs at least 30 Q vectors for three disjoint groups of ten")
        var rng = SeededRandom(seed: o.seed)
        firstTen = Array(0..<10)
        lastTen = Array((k - 10)..<k)
        let range = o.randomRange ?? 11...(k - 10)
        precondition(range.lowerBound >= 1 && range.upperBound <= k && range.count >= 10, "random range must hold ten indices of 1…K")
        randomTen = rng.sample(10, from: range.count).map { $0 + range.lowerBound - 1 }.sorted()
        let first = min(o.first, h), last = min(o.last, h)
        // Per (t, singular vector j < first, group): sum, sum of squares (mean-per-step statistic),
        // and per (t, j) the samples that have vector j inside the rank.
        var moments = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: 6), count: first), count: rows)
        var momentSamples = [[Int]](repeating: [Int](repeating: 0, count: first), count: rows)
        // Per (t, i): running sums over samples × singular vectors for the std, and the count.
        var sumF = [[Double]](repeating: [Double](repeating: 0, count: k), count: rows), sqF = sumF, sumL = sumF, sqL = sumF
        var countF = [Int](repeating: 0, count: rows), countL = countF
        var rankMin = [Int](repeating: Int.max, count: rows), rankMax = [Int](repeating: 0, count: rows)
        var qNormSums = [Double](repeating: 0, count: k), qNormCount = 0
        // The draws of every sample, in the order a one-by-one loop makes them.
        let initialStates: [(h0: [Double], gradient: [Double]?)] = (0..<o.samples).map { _ in
            let h0 = (0..<k).map { _ in rng.nextNormal() }
            return (h0, o.gradientInitialState == .independent ? (0..<k).map { _ in rng.nextNormal() } : nil)
        }
        let groups = [firstTen, lastTen, randomTen]
        var valuesFirst10: [Double] = [], valuesLast10: [Double] = [], valuesRandom10: [Double] = []
        var summaries: [AlignmentSampleSummary] = []
        progress(0, o.samples)
        // One job per sample, and one more for the random baseline, so that its SVDs run on a
        // worker beside the last samples instead of after them.
        var baseline = 0.0
        try WorkerPool(workers: threads).orderedMap(count: o.samples + 1, { n -> StudyJobResult in
            if n == o.samples { return .baseline(try AlignmentStudy.randomBaseline(hidden: baselineDimension ?? h, pairs: 4, seed: o.seed &+ 7)) }
            var columns: [SampleColumns] = []
            columns.reserveCapacity(rows)
            try alignments(n, initialStates[n].h0, initialStates[n].gradient) { t, ranked in
                precondition(t == comparedSteps.lowerBound + columns.count, "alignments come in step order")
                columns.append(SampleColumns(ranked, first: first, last: last, nullSpace: o.nullSpace))
            }
            return .sample(columns)
        }, consume: { n, result in
            guard case .sample(let columns) = result else {
                if case .baseline(let value) = result { baseline = value }
                return
            }
            precondition(columns.count == rows, "an alignment at every compared step")
            summaries.append(AlignmentSampleSummary(columns, groups: groups, first: first, perStep: o.statistic == .meanPerStep))
            for t in 1...rows {
                let a = columns[t - 1]
                rankMin[t - 1] = min(rankMin[t - 1], a.rank); rankMax[t - 1] = max(rankMax[t - 1], a.rank)
                if a.qNorms.count == k { for i in 0..<k { qNormSums[i] += a.qNorms[i] }; qNormCount += 1 }
                for j in 0..<a.leadingCount {
                    momentSamples[t - 1][j] += 1
                    for (g, group) in groups.enumerated() {
                        for i in group {
                            let x = a.leading[i, j]
                            moments[t - 1][j][2 * g] += x; moments[t - 1][j][2 * g + 1] += x * x
                            switch g {
                            case 0: valuesFirst10.append(x)
                            case 1: valuesLast10.append(x)
                            default: valuesRandom10.append(x)
                            }
                        }
                    }
                }
                countF[t - 1] += a.leadingCount; countL[t - 1] += a.trailingCount
                for i in 0..<k {
                    for j in 0..<a.leadingCount { let x = a.leading[i, j]; sumF[t - 1][i] += x; sqF[t - 1][i] += x * x }
                    for j in 0..<a.trailingCount { let x = a.trailing[i, j]; sumL[t - 1][i] += x; sqL[t - 1][i] += x * x }
                }
            }
            progress(n + 1, o.samples)
        })
        self.valuesFirst10 = valuesFirst10; self.valuesLast10 = valuesLast10; self.valuesRandom10 = valuesRandom10
        resampling = AlignmentResampling(statistic: o.statistic, steps: rows, first: first, samples: summaries)
        func std(_ s: Double, _ q: Double, _ n: Int) -> Double {
            guard n > 0 else { return .nan }
            let count = Double(n)
            return max(0, q / count - (s / count) * (s / count)).squareRoot()
        }
        stdByIndexFirst = (0..<rows).map { t in (0..<k).map { std(sumF[t][$0], sqF[t][$0], countF[t]) } }
        stdByIndexLast = (0..<rows).map { t in (0..<k).map { std(sumL[t][$0], sqL[t][$0], countL[t]) } }
        rankByStep = rankMin.map { $0 == Int.max ? 0 : $0 }
        rankByStepMax = rankMax
        qNormByIndex = qNormCount > 0 ? qNormSums.map { $0 / Double(qNormCount) } : []
        randomBaseline = baseline
        switch o.statistic {
        case .pooled:
            stdFirst10 = populationStandardDeviation(valuesFirst10); stdLast10 = populationStandardDeviation(valuesLast10); stdRandom10 = populationStandardDeviation(valuesRandom10)
        case .meanPerStep:
            // n = samples × 10 values per (t, j, group); unbiased: Σ(x − x̄)²/(n − 1). The mean is
            // over the (t, j) that some sample has inside its rank (all of them with the null
            // space included).
            func meanStd(_ g: Int) -> Double {
                var total = 0.0, terms = 0
                for t in 0..<rows { for j in 0..<first where momentSamples[t][j] > 0 {
                    let count = Double(momentSamples[t][j] * 10)
                    let s = moments[t][j][2 * g], q = moments[t][j][2 * g + 1]
                    total += (max(0, q - s * s / count) / max(count - 1, 1)).squareRoot()
                    terms += 1
                } }
                return terms > 0 ? total / Double(terms) : .nan
            }
            stdFirst10 = meanStd(0); stdLast10 = meanStd(1); stdRandom10 = meanStd(2)
        }
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
        return populationStandardDeviation(values)
    }
}
