import Analysis
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

/// `--threads`: the studies give bit-identical results for every worker count (h_0 drawn up
/// front, samples folded in order; the process's BLAS thread count, whatever it is, stays
/// the same — the commands set it to one, which tests leave alone because it is process-wide).
@Suite struct ThreadedStudyTests {
    /// Every number of the alignment study (stds, per-index curves, pooled values) is equal,
    /// not just close, for 1, 2 and 3 workers, under both conventions.
    @Test(arguments: [false, true])
    func alignmentIsIdenticalForEveryWorkerCount(paperCode: Bool) throws {
        let model = RNNModel<Double>(task: .rowwise, hidden: 32, initialization: .pytorch, seed: 5)
        var o = paperCode ? AlignmentStudy.Options.paperCode(hidden: 32) : AlignmentStudy.Options()
        o.samples = 5; o.seed = 3
        var progress: [[Int]] = [[], [], []]
        let runs = try (1...3).map { n in
            try AlignmentStudy(model: model, data: testImages, options: o, threads: n, progress: { done, _ in progress[n - 1].append(done) })
        }
        for s in runs.dropFirst() {
            #expect(s.stdFirst10 == runs[0].stdFirst10 && s.stdLast10 == runs[0].stdLast10 && s.stdRandom10 == runs[0].stdRandom10)
            // Bit-for-bit, NaN (no trailing vector inside the rank at that step) matching NaN.
            func same(_ a: [[Double]], _ b: [[Double]]) -> Bool {
                a.count == b.count && zip(a, b).allSatisfy { $0.count == $1.count && zip($0, $1).allSatisfy { $0.bitPattern == $1.bitPattern } }
            }
            #expect(same(s.stdByIndexFirst, runs[0].stdByIndexFirst) && same(s.stdByIndexLast, runs[0].stdByIndexLast))
            #expect(s.rankByStep == runs[0].rankByStep && s.rankByStepMax == runs[0].rankByStepMax)
            #expect(s.valuesFirst10 == runs[0].valuesFirst10 && s.valuesLast10 == runs[0].valuesLast10
                    && s.valuesRandom10 == runs[0].valuesRandom10)
            #expect(s.randomTen == runs[0].randomTen && s.randomBaseline == runs[0].randomBaseline)
        }
        // 5 samples × 10 Q vectors × the leading singular vectors used at each step: all five with
        // the null space included; min(5, rank ΔV_t) = min(5, t) without it.
        let leadingPerSample = paperCode ? 28 * 5 : (1...28).map { min(5, $0) }.reduce(0, +)
        #expect(runs[0].valuesFirst10.count == 5 * 10 * leadingPerSample)
        // Progress counts up in order for every worker count.
        #expect(progress.allSatisfy { $0 == Array(0...5) })
    }

    /// The sensitivity study's per-image logits, loss differences and Table 1 are equal for 1
    /// and 2 workers; an image without candidates fails with the same error either way.
    @Test func sensitivityIsIdenticalForEveryWorkerCount() throws {
        let model = RNNModel<Float>(task: .rowwise, hidden: 16, initialization: .pytorch, seed: 2)
        var o = SensitivityStudy.Options()
        o.images = 4; o.ks = [1, 5, 40]; o.randomSubsets = 3; o.seed = 9
        let one = try SensitivityStudy(model: model, data: testImages, options: o, threads: 1)
        let two = try SensitivityStudy(model: model, data: testImages, options: o, threads: 2)
        #expect(one.images.map(\.index) == [0, 1, 2, 3] && two.images.map(\.index) == [0, 1, 2, 3])
        for (a, b) in zip(one.images, two.images) {
            #expect(a.originalLogits == b.originalLogits)
            for (p, q) in zip(a.perK, b.perK) {
                #expect(p.rankedPixels == q.rankedPixels && p.rankedLogits == q.rankedLogits)
                #expect(p.randomLossDifferences == q.randomLossDifferences && p.randomMeanLogits == q.randomMeanLogits)
            }
        }
        #expect(one.markdownTable() == two.markdownTable())
        o.mode = .down; o.steps = 1...1
        for n in [1, 2] {
            #expect(throws: NoFlipCandidates.self) { _ = try SensitivityStudy(model: model, data: testImages, options: o, threads: n) }
        }
    }
}
