import Foundation

extension Reproduction {
    /// One alignment run of the report.
    public struct AlignmentRun: Sendable {
        public var family: String, model: String, convention: String
        public var first: Double, last: Double, random: Double, baseline: Double
        /// The bootstrap standard errors of `first`, `last` and `random` over the run's samples
        /// (`AlignmentStudy.standardErrors`, `AlignmentStudy.bootstrapResamples` resamples, seed 0);
        /// NaN with fewer than two samples.
        public var firstSE: Double, lastSE: Double, randomSE: Double
        /// The number of samples (images with their h_0) the run averaged over.
        public var samples: Int
        /// The std of the alignment with the first singular vectors against Q index, averaged
        /// over t (Fig. 2's curve, one value per index).
        public var curve: [Double]
        /// The std of the alignment with the first singular vectors at the final step, against Q
        /// index (Fig. 2's last-step curve, the one the paper's sentence is about).
        public var finalCurve: [Double] = []
        /// First Q index (1-based) where the curve falls below the random baseline (nil: never).
        public var crossing: Int? { curve.firstIndex { $0 < baseline }.map { $0 + 1 } }
        /// Whether the curve rises again after its minimum (a U shape) rather than falling
        /// steadily: the minimum lies in the first three quarters of the indices and the mean of
        /// the last ten values exceeds it by more than 10 %.
        public var risesAgain: Bool {
            guard let low = curve.min(), let at = curve.firstIndex(of: low), curve.count >= 10 else { return false }
            return at < 3 * curve.count / 4 && curve.suffix(10).reduce(0, +) / 10 > 1.1 * low
        }

        public init(family: String, model: String, convention: String, first: Double, last: Double, random: Double,
                    standardErrors se: (first: Double, last: Double, random: Double), samples: Int, baseline: Double, curve: [Double]) {
            self.family = family; self.model = model; self.convention = convention
            self.first = first; self.last = last; self.random = random; self.baseline = baseline; self.curve = curve
            firstSE = se.first; lastSE = se.last; randomSE = se.random
            self.samples = samples
        }

        public init(family: String, model: String, convention: String, study s: AlignmentStudy) {
            self.init(family: family, model: model, convention: convention, first: s.stdFirst10, last: s.stdLast10,
                      random: s.stdRandom10, standardErrors: s.standardErrors(), samples: s.sampleCount, baseline: s.randomBaseline,
                      curve: (0..<s.qCount).map { i in
                          let values = s.stdByIndexFirst.map { $0[i] }.filter(\.isFinite)
                          return values.reduce(0, +) / Double(max(values.count, 1))
                      })
            finalCurve = s.stdByIndexFirst.last ?? []
        }
    }

    /// Fig. 1 verdict. Untrained: a baseline, not evidence — any frame in general position gives
    /// cosines with std 1/√H (0.088 at H = 128), so the row only checks that the study measures
    /// that (0.080–0.097). Trained: a value matches the published one when |ftle − paper| ≤ 2 SE,
    /// SE the bootstrap standard error of ftle's value over its samples (the paper gives no SE
    /// for Fig. 1, so the tolerance is ftle's sampling error alone). Reproduced when first >
    /// random > last and all three match, partly when only the order holds, not reproduced when
    /// the order fails; the verdict names the tolerances (or the values outside them). Where the
    /// paper's own change from untrained to trained in a column is no larger than that column's
    /// tolerance, a match cannot tell the paper's trained value from its untrained one, and the
    /// verdict says the change cannot be resolved. Not judged without an SE (fewer than two
    /// samples).
    public static func fig1Verdict(_ r: AlignmentRun, trained: Bool) -> String {
        if !trained {
            let inBand = [r.first, r.last, r.random].allSatisfy { (0.080...0.097).contains($0) }
            return inBand ? "baseline as expected (1/√H for any random frame; not evidence)" : "baseline off (outside 0.080–0.097)"
        }
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        let p = paperFig1Trained, u = paperFig1Untrained
        let columns = [("first", r.first, r.firstSE, p.first, u.first), ("last", r.last, r.lastSE, p.last, u.last),
                       ("random", r.random, r.randomSE, p.random, u.random)]
        guard columns.allSatisfy({ $0.2.isFinite }) else { return "not judged (no bootstrap SE: fewer than two samples)" }
        let ordered = r.first > r.random && r.random > r.last
        let off = columns.filter { !(abs($0.1 - $0.3) <= 2 * $0.2) }
        let matchText = off.isEmpty
            ? "each within 2 SE of the paper: ±" + columns.map { f(2 * $0.2) }.joined(separator: " / ±")
            : "more than 2 SE from the paper: " + off.map { "\($0.0) \(f($0.1)) vs \(f($0.3)) ± \(f(2 * $0.2))" }.joined(separator: ", ")
        var verdict: String
        if ordered {
            verdict = (off.isEmpty ? "reproduced" : "partly") + " (first > random > last; \(matchText))"
        } else {
            verdict = "not reproduced (order first > random > last fails; \(matchText))"
        }
        let unresolved = columns.filter { abs($0.3 - $0.4) <= 2 * $0.2 }
        if !unresolved.isEmpty {
            verdict += "; the paper's " + unresolved.map { "\($0.0) change \(f($0.4)) → \(f($0.3))" }.joined(separator: ", ")
                + (unresolved.count == 1 ? " is" : " are") + " within ±2 SE: not resolvable with \(r.samples) samples"
        }
        return verdict
    }

    /// The Fig. 1 section of docs/reproduction.md (heading, how the verdict reads the SEs, and the
    /// table: each ftle value with its bootstrap SE beside it).
    static func fig1Section(_ runs: [AlignmentRun]) -> [String] {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        func se(_ x: Double) -> String { x.isFinite ? String(format: "%.4f", x) : "–" }
        let counts = Array(Set(runs.map(\.samples))).sorted().map(String.init).joined(separator: ", ")
        var md = ["## Fig. 1: std of the alignment of the first five singular vectors of ΔV_t with Q vectors", "",
                  "SE is the bootstrap standard error of ftle's value over its \(counts) samples (the images, each with its h_0, drawn",
                  "with replacement and the statistic recomputed exactly; \(AlignmentStudy.bootstrapResamples) resamples, seed 0; the Q indices held fixed).",
                  "The paper gives no SE for Fig. 1, so a trained value matches the paper's when |ftle − paper| ≤ 2 × the bootstrap SE",
                  "of ftle's value, and the verdict names those tolerances. Where the paper's own change from untrained to trained",
                  "(first 0.089 → 0.200, last 0.089 → 0.051, random 0.088 → 0.067) is no larger than the tolerance, a match cannot tell",
                  "the trained value from the untrained one: the verdict says that change cannot be resolved. Untrained rows are a",
                  "baseline, not evidence: any frame in general position gives cosines with std 1/√H (0.088 at H = 128), so they only",
                  "check that the study measures that (0.080–0.097).", "",
                  "| models | model | convention | first 10 | SE | last 10 | SE | random 10 | SE | paper | verdict |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"]
        for r in runs {
            let trained = r.model == "trained"
            let p = trained ? paperFig1Trained : paperFig1Untrained
            md.append("| \(r.family) | \(r.model) | \(r.convention) | \(f(r.first)) | \(se(r.firstSE)) | \(f(r.last)) | \(se(r.lastSE)) | "
                      + "\(f(r.random)) | \(se(r.randomSE)) | \(f(p.first)) / \(f(p.last)) / \(f(p.random)) | \(fig1Verdict(r, trained: trained)) |")
        }
        return md
    }
}
