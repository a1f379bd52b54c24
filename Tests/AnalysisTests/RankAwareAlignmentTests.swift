@testable import Analysis
import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Synchronization
import Testing
import TestSupport

/// Rank-aware alignment (issue 28): ΔV_t = Σ_{s≤t} δ_s h_{s−1}ᵀ has rank ≤ t, and the singular
/// vectors past its numerical rank span a null space in which LAPACK's basis is arbitrary. With
/// the null space excluded (the default) no statistic may depend on that basis; with it included
/// (the paper's code) the trailing statistics do. Row-wise task (T = 28) at H = 40, so every
/// step has a null space.
@Suite struct RankAwareAlignmentTests {
    static let hidden = 40
    static let model = RNNModel<Double>(task: .rowwise, hidden: hidden, initialization: .xavierNormal, seed: 5)
    static let images = [0, 3, 7]

    static func options(_ nullSpace: AlignmentStudy.NullSpace) -> AlignmentStudy.Options {
        var o = AlignmentStudy.Options()
        o.samples = images.count; o.nullSpace = nullSpace; o.seed = 11
        return o
    }

    /// The study over `images`, with each step's null-space columns (past the rank) mixed by
    /// `rotation(t)` when given — what another LAPACK basis of the same null space looks like.
    /// Returns the study and the initial states it drew, by sample.
    static func study(_ nullSpace: AlignmentStudy.NullSpace, rotating: Bool) throws -> (AlignmentStudy, [[Double]]) {
        let sequences = images.map { model.sequence(ofImage: testImages.image($0)).map(Double.init) }
        let labels = images.map { testImages.label($0) }
        let drawn = Mutex<[Int: [Double]]>([:])
        let study = try AlignmentStudy(qCount: hidden, hidden: hidden, steps: 28, options: options(nullSpace), threads: 1,
                                       progress: { _, _ in }) { n, h0, _, body in
            drawn.withLock { $0[n] = h0 }
            try SampleAlignment.forEachRankedStep(model: model, sequence: sequences[n], steps: 28, label: labels[n],
                                                  initialState: h0) { t, ranked in
                guard rotating else { return try body(t, ranked) }
                try body(t, rotatingNullSpace(ranked, seed: UInt64(100 * n + t)))
            }
        }
        let states = drawn.withLock { d in (0..<images.count).map { d[$0]! } }
        return (study, states)
    }

    /// `ranked` with its columns past the rank multiplied by a random orthogonal matrix
    /// (Gram–Schmidt of a Gaussian one, twice for orthogonality to rounding), and some columns
    /// inside the rank negated: what another LAPACK's choice of null-space basis and of signs
    /// looks like.
    static func rotatingNullSpace(_ ranked: SampleAlignment.Ranked, seed: UInt64) -> SampleAlignment.Ranked {
        var a = ranked.cosines
        let r = ranked.rank, m = a.cols - r
        for j in 0..<r where (seed &+ UInt64(j)) % 3 == 0 { for i in 0..<a.rows { a[i, j] = -a[i, j] } }
        guard m > 1 else { return SampleAlignment.Ranked(cosines: a, singularValues: ranked.singularValues, rank: r) }
        var rng = SeededRandom(seed: seed)
        var g = Matrix<Double>.gaussian(rows: m, cols: m, using: &rng)
        for j in 0..<m {
            for _ in 0..<2 {
                for p in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += g[i, p] * g[i, j] }
                    for i in 0..<m { g[i, j] -= dot * g[i, p] }
                }
            }
            var norm = 0.0
            for i in 0..<m { norm += g[i, j] * g[i, j] }
            for i in 0..<m { g[i, j] /= norm.squareRoot() }
        }
        var out = a
        for row in 0..<a.rows {
            for j in 0..<m {
                var x = 0.0
                for p in 0..<m { x += a[row, r + p] * g[p, j] }
                out[row, r + j] = x
            }
        }
        return SampleAlignment.Ranked(cosines: out, singularValues: ranked.singularValues, rank: r)
    }

    /// Excluded: every number of the study is bit-identical whatever basis the null space has
    /// and whatever signs the singular vectors have; included: the trailing curves move (by more
    /// than 1e-3 somewhere), so the check has teeth.
    @Test func excludedStatisticsIgnoreTheNullSpaceBasis() throws {
        let (plain, _) = try Self.study(.excluded, rotating: false)
        let (rotated, _) = try Self.study(.excluded, rotating: true)
        func same(_ a: [[Double]], _ b: [[Double]]) -> Bool {
            zip(a, b).allSatisfy { zip($0, $1).allSatisfy { ($0.isNaN && $1.isNaN) || $0 == $1 } }
        }
        #expect(same(plain.stdByIndexFirst, rotated.stdByIndexFirst) && same(plain.stdByIndexLast, rotated.stdByIndexLast))
        #expect(plain.stdFirst10 == rotated.stdFirst10 && plain.stdLast10 == rotated.stdLast10 && plain.stdRandom10 == rotated.stdRandom10)
        #expect(plain.valuesFirst10 == rotated.valuesFirst10)

        let (paper, _) = try Self.study(.included, rotating: false)
        let (paperRotated, _) = try Self.study(.included, rotating: true)
        let moved = zip(paper.stdByIndexLast, paperRotated.stdByIndexLast).map { zip($0, $1).map { abs($0 - $1) }.max()! }.max()!
        #expect(moved > 1e-3, "the paper's trailing vectors are null-space ones: a basis change must show (moved \(moved))")
    }

    /// ΔV_t has rank exactly t (t ≤ 28 < H, generic states and errors), the study reports it
    /// per step, and the leading columns at t < 5 are the t inside the rank.
    @Test func rankByStepIsTheStepCount() throws {
        let (study, _) = try Self.study(.excluded, rotating: false)
        #expect(study.rankByStep == Array(1...28) && study.rankByStepMax == Array(1...28), "\(study.rankByStep)")
        // Trailing vectors of the range disjoint from the first five exist from t = 6 on.
        #expect(study.stdByIndexLast[0...4].allSatisfy { $0.allSatisfy(\.isNaN) })
        #expect(study.stdByIndexLast[5...].allSatisfy { $0.allSatisfy(\.isFinite) })
        #expect(study.stdByIndexFirst.allSatisfy { $0.allSatisfy(\.isFinite) })
    }

    /// The per-index curves against a slow reference: the stored-frame alignment of each sample
    /// (`SampleAlignment.alignment(atStep:)`), the rank from an SVD of ΔV_t, the columns picked
    /// by the documented rule, and the population std over samples × columns. ≤ 1e-12.
    @Test(arguments: AlignmentStudy.NullSpace.allCases)
    func perIndexCurvesMatchTheStoredFrameReference(nullSpace: AlignmentStudy.NullSpace) throws {
        let (study, states) = try Self.study(nullSpace, rotating: false)
        let h = Self.hidden, first = 5, last = 5
        var leading = [[[Double]]](repeating: [[Double]](repeating: [], count: h), count: 28), trailing = leading
        for (n, image) in Self.images.enumerated() {
            let seq = Self.model.sequence(ofImage: testImages.image(image)).map(Double.init)
            let sample = try SampleAlignment(model: Self.model, sequence: seq, steps: 28, label: testImages.label(image),
                                             initialState: states[n])
            for t in 1...28 {
                let a = try sample.alignment(atStep: t)
                let s = try svd(sample.prefix.gradient(atStep: t)).s
                let tolerance = Double(h) * Double.ulpOfOne * s[0]
                let r = s.filter { $0 > tolerance }.count
                let lead = nullSpace == .included ? Array(0..<first) : Array(0..<min(first, r))
                let trail = nullSpace == .included ? Array((h - last)..<h) : Array(min(max(first, r - last), r)..<r)
                // Excluded: each column's sign makes its largest cosine positive.
                func sign(_ j: Int) -> Double {
                    guard nullSpace == .excluded else { return 1 }
                    let largest = (0..<h).map { a[$0, j] }.max { abs($0) < abs($1) }!
                    return largest < 0 ? -1 : 1
                }
                for i in 0..<h {
                    leading[t - 1][i] += lead.map { sign($0) * a[i, $0] }
                    trailing[t - 1][i] += trail.map { sign($0) * a[i, $0] }
                }
            }
        }
        func std(_ v: [Double]) -> Double {
            guard !v.isEmpty else { return .nan }
            let mean = v.reduce(0, +) / Double(v.count)
            return (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
        }
        for t in 0..<28 {
            for i in 0..<h {
                let f = std(leading[t][i]), l = std(trailing[t][i])
                #expect(abs(study.stdByIndexFirst[t][i] - f) <= 1e-12, "first t = \(t + 1) i = \(i + 1)")
                if l.isNaN { #expect(study.stdByIndexLast[t][i].isNaN) } else {
                    #expect(abs(study.stdByIndexLast[t][i] - l) <= 1e-12, "last t = \(t + 1) i = \(i + 1)")
                }
            }
        }
    }
}
