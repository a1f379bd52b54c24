import Foundation
import Statistics
import Testing

/// The bootstrap standard error against its closed form, and `Moments.union` (the exact
/// recomputation a resample of per-sample summaries relies on) against a direct two-pass
/// computation on the explicitly repeated values.
@Suite struct BootstrapStandardErrorTests {
    /// For the mean of n values the bootstrap distribution of the resampled mean has variance
    /// σ̂²/n exactly (σ̂ the population std of the values), so the bootstrap SE tends to σ̂/√n as
    /// the resamples grow. With B = 4000 resamples the Monte-Carlo relative error of an SD
    /// estimate is ≈ 1/√(2(B − 1)) = 1.1 %; the tolerance, 5 %, is 4.5 of those. A statistic off by
    /// √(n/(n − 1)) (s instead of σ̂, 1 % at n = 50) is inside it; one with the wrong scale
    /// (e.g. σ̂ instead of σ̂/√n) is not.
    @Test(arguments: [UInt64(1), 7, 2026])
    func standardErrorOfAMeanIsSigmaOverRootN(seed: UInt64) {
        var rng = SplitMix(seed: seed)
        let n = 50
        let values = (0..<n).map { _ in 3 + 2 * rng.normal() }
        let exact = populationStandardDeviation(values) / Double(n).squareRoot()
        let se = Bootstrap.standardError(count: n, resamples: 4000, using: &rng) { indices in
            [indices.map { values[$0] }.reduce(0, +) / Double(indices.count)]
        }
        #expect(se.count == 1 && abs(se[0] / exact - 1) < 0.05, "bootstrap \(se[0]) vs σ̂/√n \(exact)")
    }

    /// Components are independent; a constant component has SE 0, a never-finite one NaN, and a
    /// seeded generator gives the same SE twice.
    @Test func componentsConstantsAndReproducibility() {
        func run() -> [Double] {
            var rng = SplitMix(seed: 9)
            return Bootstrap.standardError(count: 8, resamples: 300, using: &rng) { indices in
                [Double(indices.reduce(0, +)), 1.5, .nan]
            }
        }
        let se = run()
        #expect(se[0] > 0 && se[1] == 0 && se[2].isNaN)
        #expect(se[0] == run()[0])
        #expect(Bootstrap.multiplicities([2, 0, 2, 2], count: 4) == [1, 0, 3, 0])
    }

    /// Union of parts, each taken w_i times, against the two-pass mean and M2 of the concatenated
    /// repeated values, on values with a large common offset (where Σx² − n x̄² would lose about
    /// eight digits): mean and M2 to 1e-12 relative.
    @Test func unionEqualsTheDirectComputation() {
        var rng = SplitMix(seed: 4)
        let parts = (0..<6).map { p in (0..<(3 + 5 * p)).map { _ in 1e4 + rng.normal() * Double(p + 1) } }
        let weights = [2, 0, 1, 3, 1, 0]
        let repeated = zip(parts, weights).flatMap { part, w in (0..<w).flatMap { _ in part } }
        let union = Moments.union(parts.map { Moments($0) }, multiplicities: weights)
        #expect(union.count == repeated.count)
        #expect(abs(union.mean / mean(repeated) - 1) < 1e-12)
        let direct = populationVariance(repeated) * Double(repeated.count)
        #expect(abs(union.sumOfSquaredDeviations / direct - 1) < 1e-12, "\(union.sumOfSquaredDeviations) vs \(direct)")
        #expect(abs(union.populationVariance / populationVariance(repeated) - 1) < 1e-12)
        #expect(abs(union.sampleVariance / sampleVariance(repeated) - 1) < 1e-12)
        // Without multiplicities: every part once.
        let once = Moments.union(parts.map { Moments($0) })
        #expect(abs(once.populationVariance / populationVariance(parts.flatMap { $0 }) - 1) < 1e-12)
    }

    /// Empty parts and zero multiplicities are left out; nothing left is the empty set.
    @Test func emptyPartsAndZeroWeights() {
        let a = Moments([1.0, 2, 3]), empty = Moments([Double]())
        #expect(empty.count == 0 && empty.mean.isNaN && empty.populationVariance.isNaN)
        #expect(Moments.union([a, empty]) == a)
        #expect(Moments.union([a, Moments([5.0])], multiplicities: [0, 0]).count == 0)
        #expect(Moments([4.0]).sampleVariance.isNaN && Moments([4.0]).populationVariance == 0)
    }
}
