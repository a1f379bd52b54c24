@testable import Analysis
import Foundation
import Linalg
import RNN
import Statistics
import Testing

/// The alignment study's bootstrap over samples: the group statistics recomputed from the
/// per-sample summaries (for any resample) against a direct computation on the raw cosines
/// (Float64, 1e-12), under both statistics. With the null space included every sample has
/// `first` leading singular vectors at every step, so sample n's values of a group are the
/// contiguous block n of `valuesFirst10` (…) of 10 · first · T values, laid out (t, j, Q index).
@Suite struct AlignmentBootstrapTests {
    static let model = RNNModel<Double>(task: .rowwise, hidden: 30, initialization: .xavierNormal, seed: 4)
    static let steps = 28, first = 2, samples = 3

    static func study(_ statistic: AlignmentStudy.Statistic) throws -> AlignmentStudy {
        var o = AlignmentStudy.Options.paperCode(hidden: 30)
        o.samples = samples; o.first = first; o.last = first; o.seed = 5; o.statistic = statistic
        return try AlignmentStudy(model: model, data: testImages, options: o)
    }

    /// Sample n's block of a group's pooled values.
    static func block(_ values: [Double], _ n: Int) -> ArraySlice<Double> {
        let size = 10 * first * steps
        precondition(values.count == samples * size)
        return values[(n * size)..<((n + 1) * size)]
    }

    static func groups(_ s: AlignmentStudy) -> [[Double]] { [s.valuesFirst10, s.valuesLast10, s.valuesRandom10] }

    static let resamples: [[Int]] = [[1, 1, 1], [2, 0, 1], [0, 3, 0], [1, 2, 0]]

    /// pooled: the population std of the resample's values (sample n repeated w_n times).
    @Test func pooledStatisticOfAResampleMatchesTheRawValues() throws {
        let s = try Self.study(.pooled)
        #expect(s.sampleCount == Self.samples)
        let all = s.groupStatistics(multiplicities: [1, 1, 1])
        #expect(abs(all[0] - s.stdFirst10) < 1e-12 && abs(all[1] - s.stdLast10) < 1e-12 && abs(all[2] - s.stdRandom10) < 1e-12)
        for w in Self.resamples {
            let recomputed = s.groupStatistics(multiplicities: w)
            for (g, values) in Self.groups(s).enumerated() {
                let raw = (0..<Self.samples).flatMap { n in (0..<w[n]).flatMap { _ in Self.block(values, n) } }
                let direct = populationStandardDeviation(raw)
                #expect(abs(recomputed[g] - direct) < 1e-12, "w \(w) group \(g): \(recomputed[g]) vs \(direct)")
            }
        }
    }

    /// mean-per-step: for each (t, j), the unbiased std of the resample's 10 · Σw values at (t, j),
    /// averaged over the T · first cells.
    @Test func meanPerStepStatisticOfAResampleMatchesTheRawValues() throws {
        let s = try Self.study(.meanPerStep)
        let all = s.groupStatistics(multiplicities: [1, 1, 1])
        #expect(abs(all[0] - s.stdFirst10) < 1e-12 && abs(all[1] - s.stdLast10) < 1e-12 && abs(all[2] - s.stdRandom10) < 1e-12)
        for w in Self.resamples {
            let recomputed = s.groupStatistics(multiplicities: w)
            for (g, values) in Self.groups(s).enumerated() {
                var total = 0.0
                for cell in 0..<(Self.steps * Self.first) {
                    let raw = (0..<Self.samples).flatMap { n in
                        (0..<w[n]).flatMap { _ in Self.block(values, n).dropFirst(cell * 10).prefix(10) }
                    }
                    total += standardDeviation(raw)
                }
                let direct = total / Double(Self.steps * Self.first)
                #expect(abs(recomputed[g] - direct) < 1e-12, "w \(w) group \(g): \(recomputed[g]) vs \(direct)")
            }
        }
    }

    /// The SEs are seeded (the same twice), positive, move with the seed, and are undefined for one sample.
    @Test func standardErrorsAreSeededAndNeedTwoSamples() throws {
        let s = try Self.study(.pooled)
        let a = s.standardErrors(resamples: 200), b = s.standardErrors(resamples: 200), c = s.standardErrors(resamples: 200, seed: 1)
        #expect(a.first == b.first && a.last == b.last && a.random == b.random)
        #expect(a.first > 0 && a.last > 0 && a.random > 0)
        #expect(a.first != c.first)
        var o = AlignmentStudy.Options()
        o.samples = 1; o.first = 2; o.last = 2
        let one = try AlignmentStudy(model: Self.model, data: testImages, options: o).standardErrors(resamples: 50)
        #expect(one.first.isNaN && one.last.isNaN && one.random.isNaN)
    }
}
