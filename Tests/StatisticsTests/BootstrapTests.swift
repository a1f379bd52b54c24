import Foundation
import Statistics
import Testing

/// The bootstrap resampler: quantiles against hand values, and the coverage of its 95 %
/// percentile interval for a mean, simulated from a known distribution.
@Suite struct BootstrapTests {
    @Test func quantilesInterpolateBetweenOrderStatistics() {
        let v = [1.0, 2, 3, 4, 5]
        #expect(Bootstrap.quantile(v, 0) == 1 && Bootstrap.quantile(v, 1) == 5 && Bootstrap.quantile(v, 0.5) == 3)
        #expect(abs(Bootstrap.quantile(v, 0.1) - 1.4) < 1e-15)   // position 0.4
        #expect(Bootstrap.quantile([], 0.5).isNaN)
    }

    /// 200 samples of n = 40 from N(2, 1); each gets a 95 % percentile interval of its mean
    /// (1000 resamples). The interval holds the true mean 2 in at least 90 % of them (the
    /// percentile interval's coverage at n = 40 is about 94 %; 90 % is 2.4 binomial standard
    /// errors below), and never in all of them (an interval that always covers is too wide).
    @Test func percentileIntervalCoversTheMean() {
        var rng = SplitMix(seed: 2026)
        var covered = 0
        let draws = 200
        for _ in 0..<draws {
            let sample = (0..<40).map { _ in 2 + rng.normal() }
            let (low, high) = Bootstrap.percentileInterval(count: sample.count, resamples: 1000, using: &rng) { indices in
                [indices.map { sample[$0] }.reduce(0, +) / Double(indices.count)]
            }
            if low[0] <= 2 && 2 <= high[0] { covered += 1 }
        }
        #expect(covered >= 180 && covered < draws, "covered \(covered) of \(draws)")
    }

    /// A vector statistic: each component gets its own interval; non-finite values are left out.
    @Test func componentsAndNonFiniteValues() {
        var rng = SplitMix(seed: 5)
        let (low, high) = Bootstrap.percentileInterval(count: 10, resamples: 200, using: &rng) { indices in
            [Double(indices.reduce(0, +)), .nan, indices.contains(0) ? .infinity : 1]
        }
        #expect(low.count == 3 && low[0] <= high[0] && low[0] >= 0 && high[0] <= 90)
        #expect(low[1].isNaN && high[1].isNaN)
        #expect(low[2] == 1 && high[2] == 1)
    }
}
