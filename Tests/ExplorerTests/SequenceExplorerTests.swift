import Foundation
import Linalg
import Lyapunov
import RNN
import Testing
import TerminalUI
import TestSupport
@testable import Explorer

/// The explorer on models that are not MNIST models, fed sequences (issue 13): `--input` and
/// `--inputs`/`--labels` through the launcher, the Input pane in the Digit pane's place, C named
/// classes in the Logits pane, a stacked model's header and K (N = ΣH), and the step ablation
/// (`b`) checked against a forward pass written out in this file (Float64).
@Suite("Explorer on sequences", .serialized)
struct SequenceExplorerTests {
    static let torchModel = ExplorerFixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/pytorch-rnn/model.safetensors").path
    static let torchInput = ExplorerFixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/pytorch-rnn/input.npy").path
    static let torchLogits = ExplorerFixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/pytorch-rnn/logits-f64.npy").path

    /// Two tanh layers (4, 3), I = 2, C = 3, seeded, no task; classes named.
    static func stackedModel() -> RNNModel<Double> {
        var rng = SeededRandom(seed: 77)
        func matrix(_ r: Int, _ c: Int, _ scale: Double) -> Matrix<Double> {
            Matrix(rows: r, cols: c, columnMajor: (0..<(r * c)).map { _ in scale * rng.nextNormal() })
        }
        func vector(_ n: Int) -> [Double] { (0..<n).map { _ in 0.2 * rng.nextNormal() } }
        let upper = RecurrentLayer(u: matrix(3, 4, 0.8), v: matrix(3, 3, 0.7), b: vector(3))
        var m = RNNModel<Double>(u: matrix(4, 2, 0.9), v: matrix(4, 4, 0.7), b: vector(4), w: matrix(3, 3, 1.0), c: vector(3),
                                 task: nil, upperLayers: [upper])
        m.metadata.extra["classes"] = "low, mid, high"
        return m
    }

    /// o_t of a vanilla stack at every step from h = 0, written out: a^k = V_k h^k + U_k x^k + b_k,
    /// h^k = φ(a^k), o = W h^L + c.
    static func referenceLogits(_ m: RNNModel<Double>, _ x: [Double], steps: Int) -> [[Double]] {
        let layers = [RecurrentLayer(u: m.u, v: m.v, b: m.b)] + m.upperLayers
        var h = layers.map { [Double](repeating: 0, count: $0.hidden) }
        var out: [[Double]] = []
        for t in 0..<steps {
            var input = Array(x[(t * m.inputSize)..<((t + 1) * m.inputSize)])
            for (k, layer) in layers.enumerated() {
                h[k] = (0..<layer.hidden).map { i in
                    var a = layer.b[i]
                    for j in 0..<layer.hidden { a += layer.v[i, j] * h[k][j] }
                    for j in 0..<layer.inputSize { a += layer.u[i, j] * input[j] }
                    return m.nonlinearity == .tanh ? Foundation.tanh(a) : max(a, 0)
                }
                input = h[k]
            }
            out.append((0..<m.classes).map { c in m.c[c] + (0..<input.count).reduce(0) { $0 + m.w[c, $1] * input[$1] } })
        }
        return out
    }

    static func write(_ array: NPYArray, _ path: String) throws {
        try Data(array.encoded(float32: false)).write(to: URL(fileURLWithPath: path))
    }

    /// An app prepared by the launcher (as `ftle explore` does) over a memory terminal, settled.
    static func app(_ change: (inout ExplorerOptions) -> Void) throws -> ExplorerApp {
        var options = ExplorerOptions(dataDirectory: "/nonexistent-mnist", bundleRoot: ExplorerFixtures.temporaryDirectory())
        change(&options)
        let scratch = ExplorerFixtures.temporaryDirectory()
        let prepared = try ExplorerLauncher.prepare(options, environment: ["FTLE_THEMES": ExplorerFixtures.themesDirectory.path],
                                                    currentDirectory: scratch, executableURL: nil)
        let size = TerminalSize(width: 120, height: 40)
        var state = prepared.state
        state.context = RenderContext(theme: .default)
        let app = ExplorerApp(terminal: MemoryTerminal(size: size), state: state, model: prepared.model,
                              configuration: prepared.configuration)
        app.start()
        app.settle()
        app.renderIfNeeded()
        return app
    }

    static func screenText(_ app: ExplorerApp) -> String {
        let grid = app.screen!
        return (0..<grid.height).map(grid.rowText).joined(separator: "\n")
    }

    /// The PyTorch fixture (two ReLU layers of 7, I = 3, C = 4 named north…west, no MNIST data
    /// needed) on its 9×3 input: the header names the input, I and C, both layers and N = 14, K
    /// defaults to N; the Input pane replaces the Digit pane; the logits equal PyTorch's (1e-9);
    /// the predicted class is named; the alignment pane says why it is empty.
    @Test func pytorchStackOnOneInput() throws {
        let app = try Self.app { $0.modelPath = Self.torchModel; $0.inputPath = Self.torchInput; $0.label = 2 }
        let screen = Self.screenText(app)
        let header = app.screen!.rowText(0)
        #expect(header.contains("t 9/9 · input.npy · label 2 · model.safetensors · I 3 C 4 · relu H 7,7 · N 14 · K 14 · D"), "\(header)")
        #expect(screen.contains("┌ Input · t 9/9"))
        #expect(!screen.contains("┌ Digit"))
        let torch = try NPYArray(contentsOf: Self.torchLogits).values
        let flips = try #require(app.state.currentFlips)
        #expect(maxAbsDifference(flips.original, torch) < 1e-9, "ftle \(flips.original) vs PyTorch \(torch)")
        let names = ["north", "east", "south", "west"]
        let predicted = torch.indices.max { torch[$0] < torch[$1] }!
        #expect(screen.contains("original  pred \(names[predicted])"))
        #expect(screen.contains("label south"))
        // The bars are labelled by the names "pred" uses (issue 29, item 10; was "0 1 2 3").
        #expect(screen.contains("  n e s w "), "\(screen)")
        // The key bar offers what acts on a sequence: b (ablate), not u/d/t; no n for one sequence.
        let footer = app.screen!.rowText(39)
        #expect(footer.contains("b ablate top-k") && !footer.contains("u up flips") && !footer.contains("d down flips")
                && !footer.contains("t train") && !footer.contains("next"), "\(footer)")
        // The alignment of a stack: the top layer's V against the Q vectors of the whole state.
        #expect(screen.contains("q1 ") && screen.contains("rank "), "\(screen)")
        #expect(screen.contains("train on sequences: ftle train --inputs"))
        #expect(app.state.engineError == nil && app.state.status == nil)
        // The export names the input file and the classes instead of an MNIST split and image.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(ScreenExporter.jsonText(app.state).utf8)) as? [String: Any])
        #expect(json["input"] as? String == Self.torchInput && json["sequence"] as? Int == 0 && json["label"] as? Int == 2)
        #expect(json["classes"] as? [String] == names && json["layers"] as? [Int] == [7, 7] && json["image"] is NSNull)
        // The marker row: t = T, so every step is presented; the top-k (k = 1 for T = 9) is starred.
        let top = try #require(flips.topSteps.first)
        #expect(flips.topSteps.count == 1)
        let inputRow = try #require(screen.split(separator: "\n").first { $0.hasPrefix("│") && ($0.contains("-^") || $0.contains("*^")) })
        let markers = Array(inputRow.dropFirst().prefix(9))
        #expect(markers[top - 1] == "*" || top == 9)
        #expect(markers[8] == "^")
    }

    /// Without `--label` the loss is against the original's predicted class, and the pane says so.
    @Test func unlabelledInputIsScoredAgainstThePrediction() throws {
        let app = try Self.app { $0.modelPath = Self.torchModel; $0.inputPath = Self.torchInput }
        let torch = try NPYArray(contentsOf: Self.torchLogits).values
        let predicted = torch.indices.max { torch[$0] < torch[$1] }!
        let flips = try #require(app.state.currentFlips)
        #expect(flips.labelIsPredicted && flips.label == predicted)
        #expect(app.screen!.rowText(0).contains("· no label ·"))
        #expect(Self.screenText(app).contains("no label: loss vs pred \(["north", "east", "south", "west"][predicted])"))
    }

    /// A labelled set of 3 sequences (T = 12, I = 2) on a two-layer tanh model: `b` ablates the
    /// top-k steps by ln r_t^1 with x_t ← 0, then with x_t ← the set mean, then stops; each
    /// variant's o_T and o_t equal the written-out forward pass on the sequence ablated here.
    /// n/p wrap around the set and carry the labels.
    @Test func ablationAndSetNavigation() throws {
        let dir = ExplorerFixtures.temporaryDirectory()
        let model = Self.stackedModel()
        try model.save(to: dir + "/stack.safetensors")
        var rng = SeededRandom(seed: 5)
        let (n, steps, inputs) = (3, 12, 2)
        let values = (0..<(n * steps * inputs)).map { _ in rng.nextNormal() }
        try Self.write(NPYArray(shape: [n, steps, inputs], values: values), dir + "/x.npy")
        try Self.write(NPYArray(shape: [n], values: [2, 0, 1]), dir + "/y.npy")
        let app = try Self.app {
            $0.modelPath = dir + "/stack.safetensors"; $0.inputsPath = dir + "/x.npy"; $0.labelsPath = dir + "/y.npy"; $0.sequenceIndex = 1
        }
        #expect(app.state.imageIndex == 1 && app.state.label == 0 && app.state.steps == 12)
        #expect(app.screen!.rowText(0).contains("x.npy #1 · label 0 · stack.safetensors · I 2 C 3 · H 4,3 · N 7 · K 7"))
        #expect(Self.screenText(app).contains("┌ Input #1 of 3 · t 12/12"))
        let x = Array(values[(steps * inputs)..<(2 * steps * inputs)])
        var mean = [Double](repeating: 0, count: steps * inputs)
        for s in 0..<n { for j in 0..<(steps * inputs) { mean[j] += values[s * steps * inputs + j] / Double(n) } }
        // The ranking from the Lyapunov engine's own trace (ln r_t^1), ties by step.
        let trace = try LyapunovTrace(model: model, sequence: x, steps: steps, k: 7, jacobian: .forward)
        let scores = trace.logR.map { $0[0] }
        let ranked = Array(scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }.prefix(2))
        #expect(app.state.flipCount == 2)
        #expect(app.state.currentFlips?.topSteps == ranked.map { $0 + 1 })
        func ablated(_ steps: [Int], _ baseline: [Double]?) -> [Double] {
            var y = x
            for t in steps { for i in 0..<inputs { y[t * inputs + i] = baseline?[t * inputs + i] ?? 0 } }
            return y
        }
        for baseline in [nil, mean] as [[Double]?] {
            ExplorerFixtures.press([.char("b")], on: app)
            let flips = try #require(app.state.currentFlips)
            #expect(flips.request.ablation == (baseline == nil ? .zero : .mean))
            #expect(flips.rFlippedPixels == ranked)
            #expect(flips.randomPixels.count == 2 && Set(flips.randomPixels).count == 2 && flips.randomPixels.allSatisfy { $0 < steps })
            let variants = [x, ablated(ranked, baseline), ablated(flips.randomPixels, baseline)]
            let finals = [flips.original, try #require(flips.rFlipped), try #require(flips.randomFlipped)]
            for (v, input) in variants.enumerated() {
                let reference = Self.referenceLogits(model, input, steps: steps)
                #expect(maxAbsDifference(finals[v], reference[steps - 1]) < 1e-12)
                for t in 0..<steps { #expect(maxAbsDifference(flips.stepLogits[v][t], reference[t]) < 1e-12) }
            }
            #expect(flips.label == 0 && !flips.labelIsPredicted)
            #expect(Self.screenText(app).contains("R-ablated pred "))
        }
        ExplorerFixtures.press([.char("b")], on: app)
        #expect(app.state.ablation == nil && app.state.currentFlips?.rFlipped == nil)
        // n/p: wrap around the set; the label follows.
        ExplorerFixtures.press([.char("n")], on: app)
        #expect(app.state.imageIndex == 2 && app.state.label == 1)
        ExplorerFixtures.press([.char("n")], on: app)
        #expect(app.state.imageIndex == 0 && app.state.label == 2)
        ExplorerFixtures.press([.char("p")], on: app)
        #expect(app.state.imageIndex == 2)
        let trace2 = try LyapunovTrace(model: model, sequence: Array(values[(2 * steps * inputs)...]), steps: steps, k: 7, jacobian: .forward)
        let spectrum = try #require(app.state.currentSpectrum)
        #expect(maxAbsDifference(spectrum.logR.flatMap { $0 }, trace2.logR.flatMap { $0 }) < 1e-12)
        // u and d are for images: a one-line note, nothing changes.
        ExplorerFixtures.press([.char("u")], on: app)
        #expect(app.state.flipUp == false && app.state.status?.text.contains("u and d flip pixels of MNIST images") == true)
        // Training is for MNIST models: a note, the phase stays idle.
        ExplorerFixtures.press([.char("t")], on: app)
        #expect(app.state.training.phase == .idle && app.state.status?.text.contains("the explorer trains MNIST models") == true)
        // A click on the Input pane's column of step 5 moves t there.
        let area = try #require(ScreenLayout.make(size: app.state.size, focus: app.state.focus, isZoomed: false)?.panes[.digit])
        app.dispatch(.click(x: area.minX + 1 + 4, y: area.minY + 1))
        #expect(app.state.t == 5)
    }

    /// One `--input`: n and p say there is one sequence; `b` has only the zero baseline (the
    /// mean of one sequence is itself).
    @Test func oneSequenceHasNoNeighboursAndNoMeanBaseline() throws {
        let app = try Self.app { $0.modelPath = Self.torchModel; $0.inputPath = Self.torchInput; $0.label = 1 }
        ExplorerFixtures.press([.char("n")], on: app)
        #expect(app.state.imageIndex == 0)
        #expect(app.state.status?.text == "input.npy holds one sequence; step through a set with --inputs X.npy --labels Y.npy")
        ExplorerFixtures.press([.char("b")], on: app)
        #expect(app.state.ablation == .zero)
        ExplorerFixtures.press([.char("b")], on: app)
        #expect(app.state.ablation == nil)
    }
}

/// The largest |a_i − b_i| (arrays of one length).
private func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "compared arrays differ in length")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
