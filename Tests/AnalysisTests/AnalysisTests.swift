import Analysis
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Linalg
import Lyapunov
import MNIST
import RNN
import Statistics
import Testing
import TestSupport

let testImages = try! MNISTDataset.load(directory: samplesMNIST, split: .test)

@Suite struct PrefixGradientTests {
    /// ΔV_t from the prefix backward equals the RNN engine's BPTT on the sequence truncated to
    /// t steps (an independent, batched code path) to 1e-12 relative, and one entry matches a
    /// central finite difference of ℓ_t to 1e-6.
    @Test func matchesTruncatedBPTTAndFiniteDifference() {
        let model = RNNModel<Double>(task: .rowwise, hidden: 12, initialization: .pytorch, seed: 3)
        let seq = SequenceTask.rowwise.sequence(testImages.image(1)).map(Double.init)
        let label = testImages.label(1)
        var rng = SeededRandom(seed: 1)
        let h0 = (0..<12).map { _ in rng.nextNormal() }
        let prefix = PrefixGradients(model: model, sequence: seq, steps: 28, label: label, initialState: h0)
        for t in [1, 7, 28] {
            let batch = SequenceBatch<Double>(inputs: Matrix(rows: 28, cols: t, columnMajor: Array(seq[0..<(28 * t)])), labels: [label], steps: t)
            let (_, _, g) = model.lossAndGradients(batch, initialState: Matrix(rows: 12, cols: 1, columnMajor: h0))
            #expect(relativeError(prefix.gradient(atStep: t), g.v) < 1e-12, "t = \(t)")
        }
        let numeric = centralDifference({ x in
            var m = model; m.v[3, 5] = x[0]
            return PrefixGradients(model: m, sequence: seq, steps: 28, label: label, initialState: h0).loss(atStep: 10)
        }, at: [model.v[3, 5]])
        #expect(abs(prefix.gradient(atStep: 10)[3, 5] - numeric[0]) <= 1e-6 * abs(numeric[0]) + 1e-10)
    }
}

@Suite struct AlignmentTests {
    @Test func alignmentIsAnOrthogonalMatrixOfCosines() throws {
        let model = RNNModel<Double>(task: .rowwise, hidden: 16, initialization: .pytorch, seed: 2)
        let seq = SequenceTask.rowwise.sequence(testImages.image(0)).map(Double.init)
        let sample = try SampleAlignment(model: model, sequence: seq, steps: 28, label: testImages.label(0), initialState: nil)
        for t in [1, 14, 28] {
            let a = try sample.alignment(atStep: t)
            // Q_t (16×16) and E (16×16) are orthogonal, so Q_tᵀE is orthogonal: entries are cosines.
            #expect(a.rows == 16 && a.cols == 16)
            #expect(orthonormalityError(a) < 1e-10)
            #expect(a.storage.allSatisfy { abs($0) <= 1 + 1e-12 })
        }
    }

    /// The std of dot products of independent Haar-like unit vectors in R^H is 1/√H; with
    /// 4 pairs × H² = 16384 values at H = 64 the sampling error of the std is ≈ 0.6%, so 5%.
    @Test func randomBaselineIsOneOverRootH() throws {
        let b = try AlignmentStudy.randomBaseline(hidden: 64, pairs: 4, seed: 1)
        #expect(abs(b - 0.125) < 0.05 * 0.125)
    }

    @Test func studyShapesAndGroups() throws {
        let model = RNNModel<Double>(task: .rowwise, hidden: 32, initialization: .pytorch, seed: 4)
        var o = AlignmentStudy.Options()
        o.samples = 2
        let s = try AlignmentStudy(model: model, data: testImages, options: o)
        #expect(s.stdByIndexFirst.count == 28 && s.stdByIndexFirst[0].count == 32)
        // 2 samples × 10 Q vectors × min(5, rank ΔV_t) = min(5, t) leading singular vectors a step.
        #expect(s.valuesFirst10.count == 2 * 10 * (1...28).map { min(5, $0) }.reduce(0, +))
        #expect(Set(s.randomTen).isDisjoint(with: s.firstTen + s.lastTen) && Set(s.randomTen).count == 10)
        let json = StudyReport.alignmentJSON(s, options: o)
        for key in ["std_first10", "std_last10", "std_random10", "std_by_index_first5", "std_by_index_last5", "random_baseline", "histograms"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        #expect(try XMLDocument(xmlString: StudyReport.figure1(s, title: "t <1>")).rootElement()?.name == "svg")
        #expect(try XMLDocument(xmlString: StudyReport.figure2(s, title: "f2", last: true)).rootElement()?.name == "svg")
    }
}

@Suite struct SensitivityTests {
    @Test func scoresFollowThePermutation() throws {
        let task = SequenceTask.permuted(seed: 5)
        guard case let .permuted(p) = task else { return }
        let stepScores = (0..<784).map { Double($0) }
        let pix = Sensitivity.pixelScores(stepScores: stepScores, task: task)
        for t in [0, 17, 783] { #expect(pix[p[t]] == Double(t)) }
        let rowScores = Sensitivity.pixelScores(stepScores: (0..<28).map(Double.init), task: .rowwise)
        #expect(rowScores[5 * 28 + 3] == 5)
    }

    @Test func flipsAndCandidates() {
        var image = [Float](repeating: 0, count: 784)
        image[10] = 0.5; image[11] = 1; image[12] = 0.0005
        let up = Sensitivity.candidates(image, .up), down = Sensitivity.candidates(image, .down)
        #expect(down == [10, 11] && up.count == 782 && up.contains(12))
        let f = Sensitivity.flipped(image, pixels: [10, 12, 13])
        #expect(f[10] == 0 && f[12] == 1 && f[13] == 1 && f[11] == 1)
        var scores = [Double](repeating: 0, count: 784)
        scores[11] = 5; scores[10] = 5; scores[300] = 9
        #expect(Array(Sensitivity.ranking(scores: scores, image: image, mode: .both).prefix(3)) == [300, 10, 11])
        #expect(Sensitivity.ranking(scores: scores, image: image, mode: .down) == [10, 11])
        let subsets = Sensitivity.randomSubsets(candidates: up, k: 5, count: 3, seed: 1)
        #expect(subsets.count == 3 && subsets.allSatisfy { Set($0).count == 5 && Set($0).isSubset(of: Set(up)) })
        #expect(subsets == Sensitivity.randomSubsets(candidates: up, k: 5, count: 3, seed: 1))
    }

    @Test func batchedLogitsEqualSingleForwardPasses() {
        let model = RNNModel<Double>(task: .permuted(seed: 1), hidden: 8, initialization: .orthogonal, seed: 1)
        let images = [testImages.image(0), testImages.image(1), testImages.image(2)]
        let batched = Sensitivity.logits(model: model, images: images)
        for (n, img) in images.enumerated() {
            let single = Sensitivity.logits(model: model, images: [img])[0]
            #expect(relativeError(batched[n], single) < 1e-13)
        }
    }

    /// Table rows agree with a recomputation from the per-image results through Statistics.
    @Test func studyTableMatchesPerImageData() throws {
        let model = RNNModel<Float>(task: .permuted(seed: 2), hidden: 16, initialization: .orthogonal, seed: 3)
        var o = SensitivityStudy.Options()
        o.images = 3; o.ks = [1, 20]; o.randomSubsets = 6; o.mode = .both
        let s = try SensitivityStudy(model: model, data: testImages, options: o)
        #expect(s.table.count == 2 && s.images.count == 3)
        for (i, row) in s.table.enumerated() {
            let x = s.images.map { $0.perK[i].rankedLossDifference }
            let y = s.images.flatMap { $0.perK[i].randomLossDifferences }
            #expect(y.count == 18)
            #expect(abs(row.test.meanDifference - (mean(x) - mean(y))) < 1e-12)
            #expect(s.images.allSatisfy { $0.perK[i].rankedPixels.count == o.ks[i] })
            // The paired test: per image, ranked minus the mean of its own six random draws.
            let d = s.images.map { im in im.perK[i].rankedLossDifference - mean(im.perK[i].randomLossDifferences) }
            #expect(row.paired == PairedTest.greater(differences: d))
        }
        // Holm over the two k, written out: the smaller p doubled, the larger at least that.
        let p = s.table.map(\.paired.p), smaller = p.min()!, larger = p.max()!
        let holmSmaller = min(1, 2 * smaller), holmLarger = max(holmSmaller, larger)
        for row in s.table { #expect(row.pHolm == (row.paired.p == smaller ? holmSmaller : holmLarger)) }
        let md = s.markdownTable()
        #expect(md.split(separator: "\n").count == 4)
        #expect(md.contains("p (paired)") && md.contains("p (Holm)"))
    }

    /// `steps` keeps every flip — ranked and random — inside the window: the random pool is
    /// the window's candidates, so with k ≥ their number both flip exactly the same pixels.
    @Test func stepWindowRestrictsRankedAndRandomFlips() throws {
        let model = RNNModel<Float>(task: .permuted(seed: 2), hidden: 16, initialization: .orthogonal, seed: 3)
        var o = SensitivityStudy.Options()
        o.images = 2; o.ks = [5, 784]; o.randomSubsets = 4; o.mode = .both; o.steps = 700...784
        let s = try SensitivityStudy(model: model, data: testImages, options: o)
        for image in s.images {
            #expect(image.perK[0].rankedPixels.allSatisfy { (700...784).contains(model.task.step(ofPixel: $0) + 1) })
            // k beyond the window's 85 pixels flips all of them, ranked or random alike.
            #expect(image.perK[1].rankedPixels.count == 85)
            // Same flipped image in every column of one Float32 batch: equal up to the GEMM
            // kernel's edge-column rounding.
            #expect(image.perK[1].randomLossDifferences.allSatisfy { abs($0 - image.perK[1].rankedLossDifference) < 1e-5 })
        }
    }
}

/// Table 1 across epochs: the section's p(z) cells and significant k are the study's own rows,
/// sorted as given, and the figure draws one line per epoch with the p = 0.05 level.
@Suite struct Table1EpochTests {
    @Test func sectionAndFigureReadTheStudies() throws {
        let rows = try [(3.0, 5 as UInt64), (7.0, 6)].map { epochs, seed in
            let model = RNNModel<Float>(task: .permuted(seed: 2), hidden: 16, initialization: .orthogonal, seed: seed)
            var o = SensitivityStudy.Options()
            o.images = 3; o.ks = [1, 5, 20, 300]; o.randomSubsets = 6; o.mode = .both
            return Reproduction.EpochRow(epochs: epochs, accuracy: 0.5, study: try SensitivityStudy(model: model, data: testImages, options: o))
        }
        let md = Reproduction.epochSection(rows, convention: "paper-code")
        // k = 300 is not in the paper's table: three p columns (1, 5, 20).
        #expect(md.contains { $0.hasPrefix("| epochs | test accuracy | p(z) k = 1 | p(z) k = 5 | p(z) k = 20 | significant k |") })
        for row in rows {
            let line = md.first { $0.hasPrefix("| \(String(format: "%g", row.epochs)) | 50.00 % |") }!
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            for (column, k) in [1, 5, 20].enumerated() {
                let p = row.study.table.first { $0.k == k }!.test.pZ
                #expect(cells[2 + column] == String(format: "%.3g", p))
            }
            let significant = [1, 5, 20].filter { k in row.study.table.first { $0.k == k }!.test.pZ < 0.05 }
            #expect(cells[5] == (significant.isEmpty ? "none" : significant.map(String.init).joined(separator: ", ")))
        }
        let svg = Reproduction.epochFigure(rows)
        #expect(svg.components(separatedBy: "class=\"data-line").count - 1 == 2)
        #expect(svg.contains("p = 0.05") && svg.contains("epoch 3") && svg.contains("epoch 7"))
    }
}
