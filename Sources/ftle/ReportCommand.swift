import Analysis
import ArgumentParser
import Foundation
import Lyapunov
import MNIST
import RNN

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the paper's four figures (SVG), Table 1 and the data behind them, with an index.html.",
        discussion: """
        Runs `align` on both row-wise models and `perturb` (up, down and both) on the permuted model with their \
        defaults (or --jacobian / --preset paper-code). With --reproduction it writes reproduction.md instead: the \
        paper's numbers beside ftle's under both conventions (ftle's and --preset paper-code) on ftle's models and \
        on the paper-recipe models (Fig. 1 stds, Fig. 2's final-step curve, Table 1 by its pattern), with a verdict \
        per result, and the figures of each run. With --gated FILE (repeatable) it studies those GRU or LSTM \
        models of an MNIST task instead: for each, the alignment study of its top layer's whole recurrent block \
        (Figs. 1–2, as `align` by default: true cosines with the Q vectors of the whole state, test images 0..<--samples) \
        and the sensitivity study (perturb up, down and both: Table 1, Figs. 3–4; the traces and the flipped logits in \
        Float64) under the paper's R values. Vanilla models may be stacked or ReLU: alignment takes the top layer's V.

        --clv-frame (opt-in: it about triples the alignment studies' time, a few seconds a model at 25 samples) runs \
        each row-wise alignment study again in the covariant Lyapunov vectors' frame (align --frame clv, W = T/4) \
        and in the Q frame at the same steps W+1…T−W (align --frame q --window W), writes alignment-<name>-clv.json \
        and alignment-<name>-q-window.json, and puts the three side by side (std and mean |cos| of the first, last \
        and random ten) in frames.md and index.html, or in a section of reproduction.md with --reproduction.
        """)

    @Option(help: "Untrained row-wise model (default: the bundled one).") var rowwiseUntrained: String?
    @Option(help: "Trained row-wise model (default: the bundled one).") var rowwise: String?
    @Option(help: "Permuted pixel-wise model (default: the bundled one).") var permuted: String?
    @Option(help: "With --reproduction: the paper-recipe untrained row-wise model.") var paperRowwiseUntrained: String?
    @Option(help: "With --reproduction: the paper-recipe trained row-wise model.") var paperRowwise: String?
    @Option(help: "With --reproduction: the paper-recipe permuted model (default: the bundled one, when it exists).") var paperPermuted: String?
    @Option(help: "Output folder.") var out: String
    @Option(parsing: .unconditional, help: "Alignment samples.") var samples: Int = 25
    @Option(parsing: .unconditional, help: "Sensitivity images.") var images: Int = 15
    @Option(parsing: .unconditional, help: "Seed.") var seed: UInt64 = 0
    @Option(help: jacobianHelp) var jacobian: JacobianConvention?
    @Option(help: "Set every convention to a preset: paper-code (as align and perturb).") var preset: Preset?
    @Flag(help: "Write reproduction.md: the paper's numbers beside ftle's under both conventions.") var reproduction = false
    @Option(help: "With --reproduction: comma-separated models of one run at several epochs (e.g. the paper-recipe permuted run's); Table 1 under the paper's code on each, table1-epochs.svg and a section of reproduction.md.")
    var table1Epochs: String?
    @Option(help: "Study this GRU or LSTM model of an MNIST task instead (repeatable): Table 1 and Figs. 3–4 for each.") var gated: [String] = []
    @Flag(help: "Also run the row-wise alignment studies in the CLV frame and put them beside the Q frame's (frames.md).") var clvFrame = false
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var dataOptions: DataOptions

    func validate() throws {
        if samples < 1 { throw ValidationError("--samples must be at least 1 (got \(samples))") }
        if images < 1 { throw ValidationError("--images must be at least 1 (got \(images))") }
        if !gated.isEmpty && (reproduction || preset != nil) {
            throw ValidationError("--gated studies GRU/LSTM models under the paper's R values; drop --reproduction and --preset")
        }
        if table1Epochs != nil && !reproduction { throw ValidationError("--table1-epochs applies to --reproduction") }
        if clvFrame && !gated.isEmpty { throw ValidationError("--clv-frame applies to the row-wise alignment studies, not --gated") }
        if reproduction && (jacobian != nil || preset != nil) {
            throw ValidationError("--reproduction runs both conventions itself; drop --jacobian and --preset")
        }
    }

    func alignmentOptions(hidden: Int, paperCode: Bool) -> AlignmentStudy.Options {
        var o = paperCode ? AlignmentStudy.Options.paperCode(hidden: hidden) : AlignmentStudy.Options()
        if let jacobian { o.jacobian = jacobian }
        o.samples = samples; o.seed = seed
        return o
    }

    func sensitivityOptions(mode: FlipMode, paperCode: Bool) -> SensitivityStudy.Options {
        var o = paperCode ? SensitivityStudy.Options.paperCode : SensitivityStudy.Options()
        if let jacobian { o.jacobian = jacobian }
        o.images = images; o.mode = mode; o.seed = seed
        return o
    }

    /// The images of an alignment run: test images, or the model's held-out ones (paper-code).
    /// Checked as `align` checks them: H ≥ 30, and as many images as --samples.
    func alignmentImages(_ m: RNNModel<Double>, paperCode: Bool, test: MNISTDataset) throws -> (MNISTDataset, [Int]) {
        let o = alignmentOptions(hidden: m.stateSize, paperCode: paperCode)
        let network = Network(m)
        try Align.checkNetwork(network, block: .top(of: network), first: o.first, last: o.last)
        guard paperCode else {
            try Align.checkSamples(samples, available: test.count, source: "test")
            return (test, Array(0..<samples))
        }
        let train = try dataOptions.load(.train)
        let held = try TrainingSplit.recorded(in: m.metadata, count: train.count).split.validation
        try Align.checkSamples(samples, available: held.count, source: "validation")
        return (train, Array(held.prefix(samples)))
    }

    func write(_ name: String, _ text: String) throws { try writeFileAtomically(out + "/" + name, text: text) }

    func run() throws {
        try reportingErrors {
            let workers = threadOptions.workers()
            PendingTemporaryFiles.removeOnTerminatingSignals()
            try ensureWritableDirectory(out)
            let test = try dataOptions.load(.test)
            if reproduction { try runReproduction(test: test, threads: workers); return }
            if !gated.isEmpty { try runGated(test: test, threads: workers); return }
            let m0: RNNModel<Double> = try loadMNISTModel(rowwiseUntrained ?? Bundled.model("rowwise-h128-epoch0.safetensors"), for: "report")
            let m1: RNNModel<Double> = try loadMNISTModel(rowwise ?? Bundled.model("rowwise-h128.safetensors"), for: "report")
            let mp: RNNModel<Float> = try loadMNISTModel(permuted ?? Bundled.model("permuted-h512.safetensors"), for: "report")
            // Each study needs the task its figures describe (Figs. 1–2 row-wise, Table 1 and Figs. 3–4 permuted).
            for (flag, task, expected) in [("--rowwise-untrained", m0.task.kind, SequenceTask.Kind.rowwise),
                                           ("--rowwise", m1.task.kind, .rowwise), ("--permuted", mp.task.kind, .permuted)] where task != expected {
                throw UsageError("\(flag) takes a \(expected.rawValue) model; this one is \(task.rawValue)")
            }
            let paperCode = preset == .paperCode
            // Every check align and perturb make, before the first study runs.
            for m in [m0, m1] { _ = try alignmentImages(m, paperCode: paperCode, test: test) }
            try Perturb.checkImages(images, test: test)
            var summary: [String] = [], frameRows: [StudyReport.FrameRow] = []
            for (name, m) in [("untrained", m0), ("trained", m1)] {
                print("alignment, \(name) row-wise model …"); fflush(nil)
                let o = alignmentOptions(hidden: m.stateSize, paperCode: paperCode)
                let (data, indices) = try alignmentImages(m, paperCode: paperCode, test: test)
                let s = try AlignmentStudy(model: m, data: data, indices: indices, options: o, threads: workers, progress: ProgressLine(label: "  sample").update)
                try writeAlignment(s, options: o, name: name)
                summary.append(String(format: "%@: std first/last/random ten = %.3f / %.3f / %.3f, random baseline %.3f (%@, %@)", name,
                                      s.stdFirst10, s.stdLast10, s.stdRandom10, s.randomBaseline, o.jacobian.rawValue, o.statistic.rawValue))
                if clvFrame {
                    let rows = try self.frameRows(m, model: name, convention: paperCode ? "paper-code" : o.jacobian.rawValue, tag: name, qStudy: s,
                                                  options: o, data: data, indices: indices, threads: workers)
                    frameRows += rows
                    summary.append(Self.frameSummary(rows.last!))
                }
            }
            let studies = try flipStudies(label: "", prefix: "", paperCode: paperCode) { options in
                try SensitivityStudy(model: mp, data: test, options: options, threads: workers, progress: ProgressLine(label: "  (image, k)").update)
            }
            try write("table1.md", "# Table 1: R-ranked vs random flips (\(images) test images, both directions)\n\n" + studies[.both]!.markdownTable())
            try write("fig3.svg", StudyReport.figure3(up: studies[.up]!, down: studies[.down]!))
            try write("fig4.svg", StudyReport.figure4(studies[.both]!))
            let figures = ["fig1-untrained", "fig1-trained", "fig2-untrained-first", "fig2-untrained-last", "fig2-trained-first",
                           "fig2-trained-last", "fig3", "fig4"]
            let frames = frameRows.isEmpty ? "" : StudyReport.frameComparison(frameRows)
            if !frames.isEmpty { try write("frames.md", frames) }
            try write("index.html", StudyReport.indexHTML(summary: summary, figures: figures, table: studies[.both]!.markdownTable(), extra: frames))
            print(summary.joined(separator: "\n"))
            print("wrote \(out)/index.html")
        }
    }

    /// The sensitivity study under flip modes both, up and down (`study` runs one), each
    /// written to `<prefix>sensitivity-<mode>.json`.
    func flipStudies(label: String, prefix: String, paperCode: Bool,
                     _ study: (SensitivityStudy.Options) throws -> SensitivityStudy) throws -> [FlipMode: SensitivityStudy] {
        var studies: [FlipMode: SensitivityStudy] = [:]
        for mode in [FlipMode.both, .up, .down] {
            print("sensitivity, \(label)\(mode.rawValue) flips …"); fflush(nil)
            // Shared subsets need every image to have the same candidates: mode both only.
            var options = sensitivityOptions(mode: mode, paperCode: paperCode)
            if mode != .both { options.sharedRandom = false }
            let s = try study(options)
            studies[mode] = s
            try write("\(prefix)sensitivity-\(mode.rawValue).json", jsonText(StudyReport.sensitivityJSON(s)))
        }
        return studies
    }

    /// `--gated`: the sensitivity study of each GRU/LSTM model (both, up, down), files prefixed
    /// by the model's file name, and an index.html over all of them.
    func runGated(test: MNISTDataset, threads: Int) throws {
        try Perturb.checkImages(images, test: test)
        var models: [(name: String, network: GatedNetwork)] = []
        for path in gated {
            guard let g = try loadNetwork(path).gatedNetwork else {
                throw FileFormatError(path: path, "--gated takes GRU or LSTM models; this is a vanilla RNN (give it as --rowwise or --permuted)")
            }
            guard g.imageTask != nil else { throw FileFormatError(path: path, "report needs a model of an MNIST task; this model has none") }
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            guard !models.contains(where: { $0.name == name }) else { throw UsageError("--gated names two models \(name): their files would collide") }
            models.append((name, g))
        }
        var summary: [String] = [], figures: [String] = [], tables: [String] = []
        for (name, g) in models {
            let studies = try flipStudies(label: "\(name), ", prefix: "\(name)-", paperCode: false) { options in
                try SensitivityStudy(network: g, data: test, options: options, threads: threads, progress: ProgressLine(label: "  (image, k)").update)
            }
            let table = studies[.both]!.markdownTable()
            let alignment = try gatedAlignment(g, name: name, test: test, threads: threads)
            summary.append(alignment.summary)
            figures += alignment.figures
            try write("\(name)-table1.md", "# Table 1, \(name) (\(g.cell.rawValue.uppercased()), H = \(g.layers[0].hidden)): R-ranked vs random flips (\(images) test images, both directions)\n\n" + table)
            try write("\(name)-fig3.svg", StudyReport.figure3(up: studies[.up]!, down: studies[.down]!))
            try write("\(name)-fig4.svg", StudyReport.figure4(studies[.both]!))
            figures += ["\(name)-fig3", "\(name)-fig4"]
            tables.append("\(name) (\(g.cell.rawValue.uppercased()))\n\(table)")
            if let row = studies[.both]!.table.first {
                summary.append(String(format: "%@ (%@): k = %d, mean loss difference R − random %.4g, Welch p = %.3g", name, g.cell.rawValue.uppercased(),
                                      row.k, row.test.meanDifference, row.test.pWelch))
            }
        }
        try write("index.html", StudyReport.indexHTML(summary: summary, figures: figures, table: tables.joined(separator: "\n\n")))
        print(summary.joined(separator: "\n"))
        print("wrote \(out)/index.html")
    }

    /// Figs. 1–2 of a GRU or LSTM: the alignment of its top layer's whole recurrent block with the
    /// Q vectors of the whole state (true cosines, as `align` by default), on test images
    /// 0..<--samples; written as `alignment-<name>.json`, `fig1-<name>.svg`, …; its summary line
    /// and figures. A network with fewer than 30 state directions (three groups of ten Q
    /// vectors) has no such study: the summary says so and the rest of the report goes on.
    func gatedAlignment(_ g: GatedNetwork, name: String, test: MNISTDataset, threads: Int) throws -> (summary: String, figures: [String]) {
        let network = Network(g), block = WeightBlock.top(of: network)
        let o = alignmentOptions(hidden: network.stateSize, paperCode: false)
        guard network.stateSize >= 30 else {
            return ("\(name): no alignment study (Figs. 1–2): it needs N ≥ 30 Q vectors (three groups of ten); the state has N = \(network.stateSize)", [])
        }
        try Align.checkNetwork(network, block: block, first: o.first, last: o.last)
        try Align.checkSamples(samples, available: test.count, source: "test")
        print("alignment, \(name) …"); fflush(nil)
        let indices = Array(0..<samples)
        let s = try AlignmentStudy(network: network, block: block, sequences: indices.map { network.sequence(ofImage: test.image($0)).map(Double.init) },
                                   labels: indices.map { test.label($0) }, steps: g.imageTask!.steps, options: o, threads: threads,
                                   progress: ProgressLine(label: "  sample").update)
        try writeAlignment(s, options: o, name: name)
        let norms = [s.firstTen, s.lastTen, s.randomTen].map(s.meanQNorm)
        return (String(format: "%@ alignment (all of %@, true cosines): std first/last/random ten = %.3f / %.3f / %.3f, mean ‖q_h‖ %.2f / %.2f / %.2f, random baseline %.3f",
                       name, block.parameterName, s.stdFirst10, s.stdLast10, s.stdRandom10, norms[0], norms[1], norms[2], s.randomBaseline),
                ["fig1-\(name)", "fig2-\(name)-first", "fig2-\(name)-last"])
    }

    /// The alignment JSON and Figs. 1–2 of one study, named `fig1-<name>.svg` and so on.
    func writeAlignment(_ s: AlignmentStudy, options o: AlignmentStudy.Options, name: String) throws {
        try write("alignment-\(name).json", jsonText(StudyReport.alignmentJSON(s, options: o)))
        try write("fig1-\(name).svg", StudyReport.figure1(s, title: "Alignment with Q vectors, \(name), H = \(s.hidden)"))
        try write("fig2-\(name)-first.svg", StudyReport.figure2(s, title: "Std of alignment vs Q index (first 5 singular vectors), \(name)", last: false))
        try write("fig2-\(name)-last.svg", StudyReport.figure2(s, title: "Std of alignment vs Q index (last 5 singular vectors), \(name)", last: true))
    }

    /// Every study under both conventions on both model families, and reproduction.md.
    func runReproduction(test: MNISTDataset, threads: Int) throws {
        try Perturb.checkImages(images, test: test)
        // Every model of --table1-epochs is read first: a bad one fails before the long studies.
        let epochModels: [(path: String, model: RNNModel<Float>)] = try (table1Epochs.map { $0.split(separator: ",", omittingEmptySubsequences: false) } ?? [])
            .map(String.init).map { path in
                guard !path.isEmpty else { throw UsageError("--table1-epochs must be a comma-separated list of model files (got \(quotedForMessage(table1Epochs ?? "")))") }
                return (path, try loadModel(path))
            }
        let families: [(String, String, String)] = [
            ("ftle's models", rowwiseUntrained ?? Bundled.model("rowwise-h128-epoch0.safetensors"), rowwise ?? Bundled.model("rowwise-h128.safetensors")),
            ("paper recipe", paperRowwiseUntrained ?? Bundled.model("paper-rowwise-h128-epoch0.safetensors"),
             paperRowwise ?? Bundled.model("paper-rowwise-h128.safetensors")),
        ]
        var runs: [Reproduction.AlignmentRun] = [], frameRows: [StudyReport.FrameRow] = []
        for (family, untrainedPath, trainedPath) in families {
            for (model, path) in [("untrained", untrainedPath), ("trained", trainedPath)] {
                let m: RNNModel<Double> = try loadModel(path)
                for paperCode in [false, true] {
                    let convention = paperCode ? "paper-code" : "ftle"
                    print("alignment: \(family), \(model), \(convention) …"); fflush(nil)
                    let o = alignmentOptions(hidden: m.stateSize, paperCode: paperCode)
                    let (data, indices) = try alignmentImages(m, paperCode: paperCode, test: test)
                    let s = try AlignmentStudy(model: m, data: data, indices: indices, options: o, threads: threads, progress: ProgressLine(label: "  sample").update)
                    let tag = "\(family == "paper recipe" ? "paper" : "ftle")-\(model)-\(convention)"
                    try writeAlignment(s, options: o, name: tag)
                    runs.append(Reproduction.AlignmentRun(family: family, model: model, convention: convention, study: s))
                    if clvFrame {
                        frameRows += try self.frameRows(m, model: "\(family), \(model)", convention: convention, tag: tag, qStudy: s, options: o,
                                                        data: data, indices: indices, threads: threads)
                    }
                }
            }
        }
        var sensitivity: [(family: String, convention: String, study: SensitivityStudy)] = []
        var notes: [String] = []
        var permutedModels = [("ftle's models", permuted ?? Bundled.model("permuted-h512.safetensors"))]
        let paperPermutedPath = paperPermuted ?? Bundled.model("paper-permuted-h512.safetensors")
        if FileManager.default.fileExists(atPath: paperPermutedPath) {
            permutedModels.append(("paper recipe", paperPermutedPath))
        } else {
            notes.append("The paper-recipe permuted model (\(URL(fileURLWithPath: paperPermutedPath).lastPathComponent)) is not there yet: its 50-epoch run is still training "
                         + "(Samples/runs/paper-permuted-h512), so Table 1 is shown on ftle's permuted model only.")
        }
        for (family, path) in permutedModels {
            let mp: RNNModel<Float> = try loadModel(path)
            if family == "paper recipe" {
                // The authors trained 50 epochs; say how far the model given here got.
                let trained = mp.metadata.epochsTrained, accuracy = mp.metadata.testAccuracy
                notes.append("The paper-recipe permuted model (\(URL(fileURLWithPath: path).lastPathComponent)) has trained "
                             + "\(String(format: "%g", trained)) of the recipe's 50 epochs"
                             + (accuracy.map { String(format: ", test accuracy %.2f %%", 100 * $0) } ?? "")
                             + (trained < 50 ? "; its Table 1 rows are those of a model still in training." : "."))
            }
            for paperCode in [false, true] {
                let convention = paperCode ? "paper-code" : "ftle"
                print("sensitivity: \(family), \(convention) …"); fflush(nil)
                let s = try SensitivityStudy(model: mp, data: test, options: sensitivityOptions(mode: .both, paperCode: paperCode),
                                             threads: threads, progress: ProgressLine(label: "  (image, k)").update)
                let tag = "\(family == "paper recipe" ? "paper" : "ftle")-\(convention)"
                try write("sensitivity-\(tag).json", jsonText(StudyReport.sensitivityJSON(s)))
                try write("fig4-\(tag).svg", StudyReport.figure4(s))
                sensitivity.append((family, convention, s))
            }
        }
        notes.append("Table 1's verdict compares patterns (which k are significant, where Δ < 0), not the published numbers one by one: ftle's models and images are not the paper's.")
        var epochRows: [Reproduction.EpochRow] = []
        for (path, mp) in epochModels {
            print("sensitivity across training: \(path) (\(String(format: "%g", mp.metadata.epochsTrained)) epochs) …"); fflush(nil)
            let s = try SensitivityStudy(model: mp, data: test, options: sensitivityOptions(mode: .both, paperCode: true),
                                         threads: threads, progress: ProgressLine(label: "  (image, k)").update)
            epochRows.append(Reproduction.EpochRow(epochs: mp.metadata.epochsTrained, accuracy: mp.metadata.testAccuracy, study: s))
        }
        epochRows.sort { $0.epochs < $1.epochs }
        if !epochRows.isEmpty { try write("table1-epochs.svg", Reproduction.epochFigure(epochRows)) }
        let frames = frameRows.isEmpty ? "" : "\n" + StudyReport.frameComparison(frameRows)
        try write("reproduction.md", Reproduction.markdown(alignment: runs, sensitivity: sensitivity, epochs: epochRows, notes: notes) + frames)
        print("wrote \(out)/reproduction.md")
    }
}
