import Analysis
import Foundation
import Linalg
@testable import Lyapunov
import MNIST
import RNN
import Testing
import TestSupport

/// `align --frame clv` (`AlignmentFrame.clv`): the streamed CLV frame (two forward passes, the R_t
/// released during the backward pass, V_t = Q_t C_t) against independent paths in Float64.
@Suite struct ClvFrameAlignmentTests {
    static let n = 32
    static let model = RNNModel<Double>(task: .rowwise, hidden: n, initialization: .xavierNormal, seed: 5)
    static let image = 3

    static var sequence: [Double] { model.sequence(ofImage: testImages.image(image)).map(Double.init) }
    static var h0: [Double] {
        var rng = SeededRandom(seed: 41)
        return (0..<n).map { _ in rng.nextNormal() }
    }

    /// One sample, both conventions: A_t of the CLV frame equals V_tᵀ E_t formed here from the
    /// stored-frame CLVs (`CovariantLyapunovVectors(network:…at:)` with every compared step
    /// requested, K = N, the same C_T seed) and an SVD of ΔV_t taken here, entry by entry within
    /// ΔV_t's numerical rank (tolerance 1e-9; the two paths do the same arithmetic, so the
    /// difference is rounding). The steps called are exactly W+1…T−W, and every v_k is a unit
    /// vector with v_k · q_k > 0.
    @Test(arguments: JacobianConvention.allCases)
    func clvFrameCosinesEqualTheHandComputation(jacobian: JacobianConvention) throws {
        let steps = 28, window = 7, seed: UInt64 = 12
        let compared = Array((window + 1)...(steps - window))
        let reference = try CovariantLyapunovVectors(network: Network(Self.model), sequence: Self.sequence, steps: steps, k: Self.n,
                                                     at: compared, window: window, initialState: Self.h0, jacobian: jacobian, seed: seed)
        let prefix = try BlockPrefixGradients(network: Network(Self.model), block: WeightBlock(layer: 0), sequence: Self.sequence,
                                              steps: steps, label: testImages.label(Self.image), initialState: Self.h0)
        var trace = LyapunovTrace(notStarted: Network(Self.model), sequence: Self.sequence, steps: steps, initialState: Self.h0,
                                  jacobian: jacobian)
        var seen: [Int] = []
        try SampleAlignment.forEachRankedStep(network: Network(Self.model), block: WeightBlock(layer: 0), sequence: Self.sequence,
                                              steps: steps, label: testImages.label(Self.image), initialState: Self.h0, jacobian: jacobian,
                                              frame: .clv(window: window, seed: seed)) { t, ranked in
            seen.append(t)
            let v = reference.vectors[t]!
            let f = try svd(prefix.gradient(atStep: t), mode: .thin)
            let rank = SampleAlignment.numericalRank(f.s, rows: Self.n, cols: Self.n)
            #expect(rank == ranked.rank && rank >= 1, "t = \(t)")
            var worst = 0.0
            for k in 0..<Self.n {
                for j in 0..<rank {
                    var dot = 0.0
                    for i in 0..<Self.n { dot += v[i, k] * f.vt[j, i] }
                    worst = max(worst, abs(dot - ranked.cosines[k, j]))
                }
            }
            #expect(worst <= 1e-9, "t = \(t): largest difference \(worst)")
            try trace.advance(by: t - trace.stepsDone)
            let q = trace.stepper.q
            for k in 0..<Self.n {
                let column = v.column(k)
                let norm = column.map { $0 * $0 }.reduce(0, +).squareRoot()
                let along = zip(column, q.column(k)).map(*).reduce(0, +)
                #expect(abs(norm - 1) <= 1e-12 && along > 0, "t = \(t), v_\(k + 1): norm \(norm), v·q \(along)")
            }
        }
        #expect(seen == compared)
    }

    /// Covariance of the frame the study uses, against the Jacobian formed here from the kept
    /// states (forward convention, D_t = diag(1 − h_t²) V): D_t v_k(t−1) is parallel to v_k(t)
    /// for all K = N directions at every pair of compared steps (|cos| ≥ 1 − 1e-8). Holds for
    /// any C_T, so it checks that the second forward pass pairs each C_t with its own Q_t.
    @Test func clvFrameIsCarriedByTheDynamics() throws {
        let steps = 28, window = 5
        let states = try LyapunovTrace(model: Self.model, sequence: Self.sequence, steps: steps, initialState: Self.h0).states
        var previous: Matrix<Double>?
        var checked = 0
        try CovariantLyapunovVectors.forEachFrame(network: Network(Self.model), sequence: Self.sequence, steps: steps, k: Self.n,
                                                  window: window, initialState: Self.h0, seed: 3) { t, v in
            defer { previous = v }
            guard let before = previous else { return }
            var d = Self.model.v
            for i in 0..<Self.n { for j in 0..<Self.n { d[i, j] *= 1 - states[t][i] * states[t][i] } }
            let mapped = matmul(d, before)
            for k in 0..<Self.n {
                let a = mapped.column(k), b = v.column(k)
                let dot: Double = zip(a, b).map(*).reduce(0, +)
                let normA: Double = a.map { $0 * $0 }.reduce(0, +).squareRoot()
                let normB: Double = b.map { $0 * $0 }.reduce(0, +).squareRoot()
                let cosine = dot / (normA * normB)
                #expect(abs(cosine) >= 1 - 1e-8, "t = \(t), k = \(k + 1): |cos| = \(abs(cosine))")
            }
            checked += 1
        }
        #expect(checked == steps - 2 * window - 1)
    }

    /// The study over the CLV frame keeps the compared steps only: its rows are W+1…T−W, and
    /// rank_by_step at row i is ΔV_t's rank at t = W+1+i computed here (ΔV_t has rank ≤ t, so a
    /// row read at the wrong step shows). The Q frame over the same sample keeps all T rows.
    @Test func studyRowsAreTheComparedSteps() throws {
        let steps = 28, window = 6
        var o = AlignmentStudy.Options()
        o.samples = 1; o.frame = .clv(window: window, seed: 1)
        let network = Network(Self.model)
        let study = try AlignmentStudy(network: network, block: WeightBlock(layer: 0), sequences: [Self.sequence],
                                       labels: [testImages.label(Self.image)], steps: steps, options: o)
        #expect(study.comparedSteps == (window + 1)...(steps - window) && study.steps == steps)
        #expect(study.stdByIndexFirst.count == steps - 2 * window && study.rankByStep.count == steps - 2 * window)
        // The study's h_0: the first draw after the ten random Q indices (the order `AlignmentStudy` draws them in).
        var rng = SeededRandom(seed: o.seed)
        _ = rng.sample(10, from: (Self.n - 10) - 11 + 1)
        let h0 = (0..<Self.n).map { _ in rng.nextNormal() }
        let prefix = try BlockPrefixGradients(network: network, block: WeightBlock(layer: 0), sequence: Self.sequence, steps: steps,
                                              label: testImages.label(Self.image), initialState: h0)
        for (row, t) in study.comparedSteps.enumerated() {
            let s = try svd(prefix.gradient(atStep: t), mode: .thin).s
            #expect(study.rankByStep[row] == SampleAlignment.numericalRank(s, rows: Self.n, cols: Self.n), "t = \(t)")
        }
        #expect(study.valuesFirst10.allSatisfy { abs($0) <= 1 + 1e-12 } && !study.valuesFirst10.isEmpty)
        o.frame = .q
        let qStudy = try AlignmentStudy(network: network, block: WeightBlock(layer: 0), sequences: [Self.sequence],
                                        labels: [testImages.label(Self.image)], steps: steps, options: o)
        #expect(qStudy.comparedSteps == 1...steps && qStudy.rankByStep.count == steps)
        #expect(Array(qStudy.rankByStep[window..<(steps - window)]) == study.rankByStep)
        // The Q frame at the CLV frame's steps: those rows of the whole Q frame, bit for bit.
        o.frame = .qSteps(window: window)
        let windowed = try AlignmentStudy(network: network, block: WeightBlock(layer: 0), sequences: [Self.sequence],
                                          labels: [testImages.label(Self.image)], steps: steps, options: o)
        #expect(windowed.comparedSteps == study.comparedSteps)
        #expect(windowed.stdByIndexFirst == Array(qStudy.stdByIndexFirst[window..<(steps - window)]))
        // The CLV frame differs from it (the frames are not the same vectors).
        #expect(windowed.stdByIndexFirst != study.stdByIndexFirst)
    }

    /// A window that leaves no step is refused with an error, never a trap.
    @Test func windowTooLongIsAnError() throws {
        var o = AlignmentStudy.Options()
        o.samples = 1; o.frame = .clv(window: 14, seed: 1)
        #expect(throws: (any Error).self) {
            _ = try AlignmentStudy(network: Network(Self.model), block: WeightBlock(layer: 0), sequences: [Self.sequence],
                                   labels: [0], steps: 28, options: o)
        }
    }
}
