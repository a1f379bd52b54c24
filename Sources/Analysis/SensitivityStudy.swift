import Foundation
import Linalg
import Lyapunov
import MNIST
import RNN
import Statistics

/// A study whose flip mode and step window leave an image nothing to flip.
public struct NoFlipCandidates: Error, CustomStringConvertible {
    public let description: String
}

/// The R-value input-sensitivity experiment (paper Figs. 3–4, Table 1).
///
/// For each test image: score pixels (`PixelScore`, from h_0 = 0, Float64), rank the flip
/// candidates of `mode`, and for each k flip the top k (the R-ranked perturbation) and 50
/// seeded random k-subsets of the same candidates. The loss difference of a perturbation is
/// CE(perturbed) − CE(original) on the image's label. The 1 + 50 perturbed inputs of an
/// (image, k) pair run as one batched forward pass (one GEMM per step) in the model's own
/// precision. Table 1 compares, per k, the R-ranked differences over images (x) with the pooled
/// random ones (y) by a one-sided Welch test and its normal approximation (H₁: μ_R > μ_rand).
public struct SensitivityStudy: Sendable {
    public struct Options: Sendable {
        public var images = 15
        public var ks = [1, 5, 10, 20, 50, 75, 100, 200, 300]
        public var randomSubsets = 50
        public var mode: FlipMode = .both
        public var score: PixelScore = .r1
        public var seed: UInt64 = 0
        /// Steps (1-based, inclusive) whose pixels may be flipped, for the ranked and the random
        /// flips alike; nil: all. E.g. the second half of the sequence, to leave out the early
        /// steps whose large ln r_t^1 comes from the frame settling and whose input the network
        /// has forgotten by T.
        public var steps: ClosedRange<Int>? = nil
        /// How the stepper propagates its frame (`RConvention.paper` only).
        public var jacobian: JacobianConvention = .forward
        /// Whose R values score the pixels (the reference code's need `score` r1).
        public var rConvention: RConvention = .paper
        /// One set of random k-subsets for every image (as the paper's code), drawn from the
        /// pixel positions every image shares: needs `mode` both.
        public var sharedRandom = false
        public init() {}

        /// The reference code's choices: its R values and shared random subsets.
        public static var paperCode: Options {
            var o = Options()
            o.rConvention = .ftleGradientsCode; o.sharedRandom = true
            return o
        }
    }

    public struct PerK: Sendable {
        public var k: Int
        /// Pixels flipped by the R ranking (fewer than k if there are fewer candidates).
        public var rankedPixels: [Int]
        public var rankedLogits: [Double]
        public var rankedLossDifference: Double
        public var randomLossDifferences: [Double]
        /// Logits of the first random subset (for Fig. 4).
        public var randomLogits: [Double]
        public var randomMeanLogits: [Double]

        /// The R-ranked loss difference minus the mean of this image's random ones (NaN
        /// without random subsets).
        public var pairedDifference: Double {
            randomLossDifferences.isEmpty ? .nan : rankedLossDifference - mean(randomLossDifferences)
        }
    }

    public struct ImageResult: Sendable {
        public var index: Int
        public var label: Int
        public var originalLogits: [Double]
        public var originalLoss: Double
        public var perK: [PerK]
    }

    public struct Row: Sendable {
        public var k: Int
        /// The paper's comparison: R-ranked differences (one per image) against the pooled
        /// random ones, Welch and its normal approximation (the paper's code uses p_z).
        public var test: WelchTest.Result
        /// The verdict test: per image, the R-ranked difference minus the mean of that image's
        /// random differences, one-sided paired t-test (`PairedTest`), with its effect size d_z.
        public var paired: PairedTest.Result
        /// `paired.p` adjusted by Holm's method over the study's k (`holmAdjusted`): the
        /// family-wise error of calling any k significant stays ≤ α.
        public var pHolm: Double
        /// The most pixels actually flipped in any image: below k when every image has fewer
        /// than k candidates (then the ranked and random sets are the same pixels).
        public var kEffective: Int
    }

    public let options: Options
    public var images: [ImageResult] = []
    public var table: [Row] = []
    public var seconds: Double = 0

    /// Runs the study on test images 0..<options.images, the images on `threads` workers (a
    /// `WorkerPool`; each image's work depends only on the image and the seed, so the result
    /// does not depend on `threads`). `progress(done, total)` counts (image, k) pairs and is
    /// called in image order, on the calling thread, as each image is done.
    public init<T: LinalgScalar>(model: RNNModel<T>, data: MNISTDataset, options: Options, threads: Int = 1,
                                 progress: (Int, Int) -> Void = { _, _ in }) throws {
        try self.init(studied: StudiedModel(model), data: data, options: options, threads: threads, progress: progress)
    }

    /// The same study of a GRU or LSTM network of an MNIST task: traces and flipped logits
    /// both in Float64 (`GatedNetwork.finalLogits`, one image at a time). The reference
    /// code's R values (`RConvention.ftleGradientsCode`) exist for vanilla models only.
    public init(network: GatedNetwork, data: MNISTDataset, options: Options, threads: Int = 1,
                progress: (Int, Int) -> Void = { _, _ in }) throws {
        guard options.rConvention == .paper else {
            throw NoFlipCandidates(description: "the reference code's R values are defined for vanilla RNNs; \(network.cell.withArticle) takes --r-convention paper")
        }
        try self.init(studied: StudiedModel(network), data: data, options: options, threads: threads, progress: progress)
    }

    /// What the study needs of a model: its task, its Float64 network for the traces, the
    /// vanilla Float64 model for the reference code's R values (nil for gated networks), and
    /// the logits of a batch of images in the model's own precision.
    struct StudiedModel: Sendable {
        let task: SequenceTask
        let analysis: Network
        let vanillaAnalysis: RNNModel<Double>?
        let logits: @Sendable ([[Float]]) -> [[Double]]

        init<T: LinalgScalar>(_ model: RNNModel<T>) {
            let analysisModel = model.converted(to: Double.self)
            task = model.task
            analysis = Network(analysisModel)
            vanillaAnalysis = analysisModel
            logits = { Sensitivity.logits(model: model, images: $0) }
        }

        init(_ network: GatedNetwork) {
            guard let t = network.imageTask else { preconditionFailure("the network has no MNIST task") }
            task = t
            analysis = Network(network)
            vanillaAnalysis = nil
            logits = { images in
                images.map { network.finalLogits(sequence: network.sequence(ofImage: $0).map(Double.init), steps: t.steps) }
            }
        }
    }

    init(studied model: StudiedModel, data: MNISTDataset, options: Options, threads: Int,
         progress: (Int, Int) -> Void) throws {
        self.options = options
        let start = monotonicSeconds()
        let total = options.images * options.ks.count
        guard !options.sharedRandom || options.mode == .both else {
            throw NoFlipCandidates(description: "shared random subsets need flip mode both (every image then has the same candidates)")
        }
        guard options.rConvention == .paper || options.score == .r1 else {
            throw NoFlipCandidates(description: "the reference code's R values score by r1 only (got score \(options.score))")
        }
        var images: [ImageResult] = []
        progress(0, total)
        try WorkerPool(workers: threads).orderedMap(count: min(options.images, data.count), { n in
            try SensitivityStudy.imageResult(n, model: model, data: data, options: options)
        }, consume: { n, result in
            images.append(result)
            progress((n + 1) * options.ks.count, total)
        })
        self.images = images
        table = Self.table(images: images, ks: options.ks)
        seconds = monotonicSeconds() - start
    }

    /// Table 1's rows from the images' results: per k, Welch/z of the ranked against the pooled
    /// random differences, the paired test per image, and Holm's adjustment over the k.
    static func table(images: [ImageResult], ks: [Int]) -> [Row] {
        var rows = ks.enumerated().map { i, k in
            Row(k: k, test: WelchTest.greater(x: images.map { $0.perK[i].rankedLossDifference },
                                              y: images.flatMap { $0.perK[i].randomLossDifferences }),
                paired: PairedTest.greater(differences: images.map { $0.perK[i].pairedDifference }), pHolm: .nan,
                kEffective: images.map { $0.perK[i].rankedPixels.count }.max() ?? 0)
        }
        for (i, adjusted) in holmAdjusted(rows.map(\.paired.p)).enumerated() { rows[i].pHolm = adjusted }
        return rows
    }

    /// Test image n's scores, ranking and flips: the ranked and random flips of every k, each
    /// (image, k) as one batched forward pass in the model's precision.
    static func imageResult(_ n: Int, model: StudiedModel, data: MNISTDataset, options: Options) throws -> ImageResult {
        let image = data.image(n), label = data.label(n)
        let task = model.task
        let stepScores: [Double]
        switch (options.rConvention, model.vanillaAnalysis) {
        case let (.ftleGradientsCode, analysisModel?):
            stepScores = ReferenceCodeR.logR1(model: analysisModel, sequence: analysisModel.sequence(ofImage: image).map(Double.init),
                                              steps: task.steps)
        default:
            let trace = try Sensitivity.trace(network: model.analysis, image: image, score: options.score, jacobian: options.jacobian)
            stepScores = Sensitivity.stepScores(trace, score: options.score)
        }
        let scores = Sensitivity.pixelScores(stepScores: stepScores, task: task)
        var ranking = Sensitivity.ranking(scores: scores, image: image, mode: options.mode)
        if let window = options.steps {
            ranking = ranking.filter { window.contains(task.step(ofPixel: $0) + 1) }
        }
        guard !ranking.isEmpty else {
            let window = options.steps.map { " in steps \($0.lowerBound)-\($0.upperBound)" } ?? ""
            throw NoFlipCandidates(description: "test image \(n) has no pixels to flip (mode \(options.mode.rawValue))\(window)")
        }
        let original = model.logits([image])[0]
        let originalLoss = CrossEntropy.loss(original, label: label)
        var perK: [PerK] = []
        for k in options.ks {
            let ranked = Array(ranking.prefix(k))
            // Shared: the same subsets for every image (mode both: all images share their
            // candidates); otherwise drawn per image.
            let subsetSeed = options.sharedRandom ? options.seed ^ UInt64(k) : options.seed ^ (UInt64(n) << 32) ^ UInt64(k)
            let subsets = Sensitivity.randomSubsets(candidates: ranking.sorted(), k: k, count: options.randomSubsets,
                                                    seed: subsetSeed)
            let batch = [Sensitivity.flipped(image, pixels: ranked)] + subsets.map { Sensitivity.flipped(image, pixels: $0) }
            let logits = model.logits(batch)
            let diffs = logits.map { CrossEntropy.loss($0, label: label) - originalLoss }
            var meanLogits = [Double](repeating: 0, count: 10)
            for l in logits.dropFirst() { for c in 0..<10 { meanLogits[c] += l[c] / Double(max(subsets.count, 1)) } }
            perK.append(PerK(k: k, rankedPixels: ranked, rankedLogits: logits[0], rankedLossDifference: diffs[0],
                             randomLossDifferences: Array(diffs.dropFirst()), randomLogits: logits.count > 1 ? logits[1] : [],
                             randomMeanLogits: meanLogits))
        }
        return ImageResult(index: n, label: label, originalLogits: original, originalLoss: originalLoss, perK: perK)
    }

    /// Table 1 as Markdown.
    public func markdownTable() -> String {
        var lines = [
            "| k | k_eff | μ_R − μ_rand | var_R | var_rand | SE | t (Welch) | df | p (Welch) | p (z) | d_z (paired) | p (paired) | p (Holm) |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        func f(_ x: Double, _ spec: String = "%.4g") -> String { x.isNaN ? "–" : String(format: spec, x) }
        for r in table {
            let t = r.test, short = r.kEffective < r.k ? "*" : ""
            lines.append("| \(r.k)\(short) | \(r.kEffective) | \(f(t.meanDifference)) | \(f(t.varianceX)) | \(f(t.varianceY)) | \(f(t.standardError)) | \(f(t.statistic, "%.3f")) | \(f(t.df, "%.1f")) | \(f(t.pWelch, "%.3g")) | \(f(t.pZ, "%.3g")) | \(f(r.paired.effectSize, "%.3f")) | \(f(r.paired.p, "%.3g")) | \(f(r.pHolm, "%.3g")) |")
        }
        if table.contains(where: { $0.kEffective < $0.k }) {
            lines.append("")
            lines.append("\\* fewer than k candidates in every image: k_eff pixels flipped, and the random subsets are the ranked set.")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
