import Analysis
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Statistics
import Testing
import TestSupport

/// The paper-code choices of the alignment study, each against a direct computation (Float64).
@Suite struct AlignmentConventionTests {
    static let model = RNNModel<Double>(task: .rowwise, hidden: 30, initialization: .xavierNormal, seed: 4)

    /// Prefix gradients from their own forward pass started at the trace's h_0 equal those
    /// from the trace's states (two code paths: batched forward vs the Lyapunov stepper),
    /// so `independent` differs from `same` only by the second draw (1e-12).
    @Test func gradientFromItsOwnForwardPassMatchesTheTraceStates() throws {
        let seq = Self.model.sequence(ofImage: testImages.image(2)).map(Double.init)
        var rng = SeededRandom(seed: 3)
        let h0 = (0..<30).map { _ in rng.nextNormal() }
        let shared = try SampleAlignment(model: Self.model, sequence: seq, steps: 28, label: testImages.label(2), initialState: h0)
        let own = try SampleAlignment(model: Self.model, sequence: seq, steps: 28, label: testImages.label(2), initialState: h0,
                                      gradientInitialState: h0)
        for t in [1, 13, 28] {
            #expect(relativeError(own.prefix.gradient(atStep: t), shared.prefix.gradient(atStep: t)) < 1e-12)
        }
    }

    /// `mean-per-step`: for each (t, singular vector j) the unbiased std over samples × the ten
    /// Q indices of a group, averaged over t and j — recomputed here with a two-pass formula
    /// from the samples' alignment matrices (1e-12). Random indices fall in the range.
    @Test func meanPerStepStatisticMatchesADirectComputation() throws {
        var o = AlignmentStudy.Options.paperCode(hidden: 30)
        o.samples = 2; o.first = 2; o.last = 2; o.seed = 5
        let study = try AlignmentStudy(model: Self.model, data: testImages, options: o)
        #expect(study.randomTen.allSatisfy { (5...24).contains($0) })   // 0-based 6…25 of H = 30
        // The same draws as the study: h_0, then the gradient's h_0, per sample, after the
        // ten random indices.
        var rng = SeededRandom(seed: 5)
        _ = rng.sample(10, from: 20)
        var alignments: [[Matrix<Double>]] = []
        for n in 0..<2 {
            let seq = Self.model.sequence(ofImage: testImages.image(n)).map(Double.init)
            let h0 = (0..<30).map { _ in rng.nextNormal() }
            let g0 = (0..<30).map { _ in rng.nextNormal() }
            let s = try SampleAlignment(model: Self.model, sequence: seq, steps: 28, label: testImages.label(n), initialState: h0,
                                        jacobian: .transposed, gradientInitialState: g0)
            alignments.append(try (1...28).map { try s.alignment(atStep: $0) })
        }
        func expected(_ group: [Int]) -> Double {
            var total = 0.0
            for t in 0..<28 { for j in 0..<2 {
                let x = alignments.flatMap { a in group.map { a[t][$0, j] } }
                let mean = x.reduce(0, +) / Double(x.count)
                total += (x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
            } }
            return total / 56
        }
        #expect(abs(study.stdFirst10 - expected(study.firstTen)) < 1e-12)
        #expect(abs(study.stdLast10 - expected(study.lastTen)) < 1e-12)
        #expect(abs(study.stdRandom10 - expected(study.randomTen)) < 1e-12)
    }

    /// `pooled` (the default) is the population std of all of a group's values.
    @Test func pooledStatisticIsThePopulationStd() throws {
        var o = AlignmentStudy.Options()
        o.samples = 1; o.first = 2; o.last = 2
        let study = try AlignmentStudy(model: Self.model, data: testImages, options: o)
        #expect(study.stdFirst10 == populationStandardDeviation(study.valuesFirst10) && study.stdRandom10 == populationStandardDeviation(study.valuesRandom10))
        #expect(study.randomTen.allSatisfy { (10...19).contains($0) })
    }
}
