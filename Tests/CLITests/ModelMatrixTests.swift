import Foundation
import RNN
import TestSupport
import Testing

/// Issue 27's matrix (README, "Which commands work on which models"): every command on every
/// model kind through the binary. A cell either works (exit 0 and output of the right content)
/// or is refused with one exact line on stderr: `.refusedToday` marks a refusal issue 27 is to
/// remove (so the cell flips here when Sources lift it), `.refusedByDesign` one that stays,
/// `.partialToday` a run that works but says what it leaves out. The README's table is checked
/// against these cells.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"))
struct ModelMatrixTests {
    enum Cell: Sendable {
        case works
        /// Refused now; issue 27 is to make it work. The message, with `{model}` for the model's path.
        case refusedToday(String)
        /// Refused because it makes no sense.
        case refusedByDesign(String)
        /// Works, but leaves out a part that issue 27 is to add; the output says so in this text.
        case partialToday(String)

        var isWorks: Bool { if case .works = self { true } else { false } }
    }

    /// One row of the matrix: a command's minimal invocation on a model of `kind`, what a
    /// working run must print, and the cell per kind (in `ModelKind.allCases` order).
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: @Sendable (ModelKind, ModelZoo) -> [String]
        var check: @Sendable (ModelKind, CLI.Result) throws -> Void
        var cells: [Cell]
        var testDescription: String { name }
        func cell(_ kind: ModelKind) -> Cell { cells[ModelKind.allCases.firstIndex(of: kind)!] }
    }

    static let zoo = ModelZoo()

    static let all = Array(repeating: Cell.works, count: 8)

    // The cells that are not simply `.works` (kinds in the order tanh, relu, stacked, bias-free,
    // gru, lstm, stacked-gru, stacked-lstm).
    static let trainOnSequences: [Cell] = all
    static let alignCells: [Cell] = all
    static let noTaskCells: [Cell] = Array(repeating: .refusedByDesign("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy"), count: 4)
        + ["a GRU", "an LSTM", "a GRU", "an LSTM"].map { _ in .refusedByDesign("the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy") }
    static let reportCells: [Cell] = all

    /// The JSON object a run printed.
    static func json(_ r: CLI.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r)")
    }
    static func numbers(_ any: Any?) -> [Double] { (any as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.doubleValue } }

    static func model(_ k: ModelKind, _ z: ModelZoo) -> [String] { ["--model", z.models[k]!] }
    static func set(_ z: ModelZoo) -> [String] { ["--inputs", z.inputs, "--labels", z.labels] }

    /// A spectrum of K = 4 on the model's whole state.
    static let spectrumCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { kind, r in
        let j = try json(r)
        #expect(j["state_size"] as? Int == kind.stateSize && j["steps"] as? Int == 28)
        #expect(numbers(j["spectrum"]).count == 4 && numbers(j["spectrum"]).allSatisfy(\.isFinite), "\(r.stdout.prefix(300))")
    }
    static let ensembleCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { kind, r in
        let j = try json(r)
        #expect(j["ensemble"] as? Int == 3 && (j["members"] as? [Any])?.count == 3 && j["state_size"] as? Int == kind.stateSize)
        let mean = numbers(j["spectrum"]), low = numbers(j["ci_low"]), high = numbers(j["ci_high"])
        #expect(mean.count == 4 && low.count == 4 && zip(low, high).allSatisfy { $0 <= $1 })
    }
    static let clvCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { kind, r in
        let j = try json(r)
        #expect(j["state_size"] as? Int == kind.stateSize && numbers(j["growth_rates"]).count == 3)
        #expect((j["clv"] as? [String: Any])?["14"] != nil, "\(r.stdout.prefix(300))")
    }
    /// ∇ of the top layer's recurrent block: BPTT and Q/R agree.
    static let gradientCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { kind, r in
        let j = try json(r)
        #expect(j["state_size"] as? Int == kind.stateSize && j["layer"] as? Int == kind.layers - 1)
        let diff = (j["relative_difference"] as? NSNumber)?.doubleValue ?? .nan
        #expect(diff < 1e-8 && ((j["norm_bptt"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(r.stdout)")
    }
    static let alignCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { kind, r in
        let j = try json(r)
        // The top layer's whole recurrent block against the Q vectors of the whole state.
        #expect(j["q_count"] as? Int == kind.stateSize && j["state_size"] as? Int == kind.stateSize)
        #expect(j["layer"] as? Int == kind.layers - 1 && j["parameter"] as? String == "rnn.weight_hh_l\(kind.layers - 1)")
        #expect(j["gate"] as? String == (kind.isGated ? "all" : "none") && j["q_components"] as? String == "state")
        #expect(numbers(j["q_norm_by_index"]).count == kind.stateSize)
        for key in ["std_first10", "std_last10", "std_random10"] {
            let v = (j[key] as? NSNumber)?.doubleValue ?? .nan
            #expect(v > 0 && v < 1, "\(key) = \(v)")
        }
    }
    static let perturbCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { _, r in
        let table = try #require(try json(r)["table"] as? [[String: Any]])
        #expect(table.map { $0["k"] as? Int } == [1, 5], "\(r.stdout.prefix(300))")
        #expect(table.allSatisfy { (($0["mean_difference"] as? NSNumber)?.doubleValue ?? .nan).isFinite })
    }
    static let predictCheck: @Sendable (ModelKind, CLI.Result) throws -> Void = { _, r in
        let j = try json(r)
        let p = numbers(j["probabilities"])
        #expect(numbers(j["logits"]).count == 10 && abs(p.reduce(0, +) - 1) < 1e-9, "\(r.stdout)")
    }

    static let rows: [Row] = [
        Row(name: "train --inputs", arguments: { k, z in
            ["train"] + set(z) + ["--hidden", "8", "--epochs", "1", "--batch", "6", "--out", z.dir + "/sequences-\(k.rawValue)"] + k.trainArguments
        }, check: { k, r in
            let unit = k.isGated ? (k.isLSTM ? "lstm" : "gru") : k == .relu ? "relu" : "tanh"
            #expect(r.stdout.contains("18 sequences (test 2), T=28 I=28 C=10 H=8 \(unit)"), "\(r.stdout)")
            #expect(r.stdout.hasSuffix("/sequences-\(k.rawValue)/model.safetensors\n"))
        }, cells: trainOnSequences),
        Row(name: "eval", arguments: { k, z in ["eval"] + model(k, z) + ["--limit", "20", "--format", "json"] }, check: { _, r in
            let j = try json(r)
            #expect(j["images"] as? Int == 20 && ((j["accuracy"] as? NSNumber)?.doubleValue).map { (0...1).contains($0) } == true)
        }, cells: all),
        Row(name: "eval --inputs", arguments: { k, z in ["eval"] + model(k, z) + set(z) + ["--format", "json"] }, check: { _, r in
            let j = try json(r)
            #expect(j["sequences"] as? Int == 20 && ((j["accuracy"] as? NSNumber)?.doubleValue).map { (0...1).contains($0) } == true)
        }, cells: all),
        Row(name: "predict --image", arguments: { k, z in ["predict"] + model(k, z) + ["--image", "0", "--format", "json"] },
            check: predictCheck, cells: all),
        Row(name: "predict --input", arguments: { k, z in ["predict"] + model(k, z) + ["--input", z.input, "--format", "json"] },
            check: predictCheck, cells: all),
        Row(name: "spectrum --image", arguments: { k, z in ["spectrum"] + model(k, z) + ["--image", "0", "--k", "4", "--format", "json"] },
            check: spectrumCheck, cells: all),
        Row(name: "spectrum --input", arguments: { k, z in ["spectrum"] + model(k, z) + ["--input", z.input, "--k", "4", "--format", "json"] },
            check: spectrumCheck, cells: all),
        Row(name: "spectrum --ensemble (images)", arguments: { k, z in
            ["spectrum"] + model(k, z) + ["--ensemble", "3", "--k", "4", "--resamples", "100", "--format", "json"]
        }, check: ensembleCheck, cells: all),
        Row(name: "spectrum --ensemble --inputs", arguments: { k, z in
            ["spectrum"] + model(k, z) + ["--ensemble", "3", "--inputs", z.inputs, "--k", "4", "--resamples", "100", "--format", "json"]
        }, check: ensembleCheck, cells: all),
        Row(name: "clv --image", arguments: { k, z in ["clv"] + model(k, z) + ["--image", "0", "--k", "3", "--at", "14", "--format", "json"] },
            check: clvCheck, cells: all),
        Row(name: "clv --input", arguments: { k, z in ["clv"] + model(k, z) + ["--input", z.input, "--k", "3", "--at", "14", "--format", "json"] },
            check: clvCheck, cells: all),
        Row(name: "gradient --image", arguments: { k, z in ["gradient"] + model(k, z) + ["--image", "0", "--format", "json"] },
            check: gradientCheck, cells: all),
        Row(name: "gradient --input", arguments: { k, z in
            ["gradient"] + model(k, z) + ["--input", z.input, "--label", "3", "--format", "json"]
        }, check: gradientCheck, cells: all),
        Row(name: "align", arguments: { k, z in ["align"] + model(k, z) + ["--samples", "2", "--format", "json"] },
            check: alignCheck, cells: alignCells),
        Row(name: "align --inputs", arguments: { k, z in ["align"] + model(k, z) + set(z) + ["--samples", "2", "--format", "json"] },
            check: alignCheck, cells: alignCells),
        Row(name: "perturb (MNIST flips)", arguments: { k, z in
            ["perturb"] + model(k, z) + ["--images", "2", "--k", "1,5", "--random", "3", "--format", "json"]
        }, check: perturbCheck, cells: all),
        Row(name: "perturb --inputs (steps)", arguments: { k, z in
            ["perturb"] + model(k, z) + set(z) + ["--images", "2", "--k", "1,5", "--random", "3", "--format", "json"]
        }, check: perturbCheck, cells: all),
        Row(name: "perturb (MNIST flips) on a model of no task", arguments: { k, z in
            ["perturb", "--model", z.noTask[k]!, "--images", "2", "--k", "1,5", "--random", "3"]
        }, check: { _, _ in }, cells: noTaskCells),
        Row(name: "report", arguments: { k, z in
            let out = ["--out", z.dir + "/report-\(k.rawValue)", "--images", "1"]
            if k.isGated { return ["report", "--gated", z.models[k]!] + out }
            return ["report", "--rowwise-untrained", z.models[k]!, "--rowwise", z.models[k]!, "--permuted", z.permuted, "--samples", "2"] + out
        }, check: { k, r in
            let index = try String(contentsOfFile: ModelMatrixTests.zoo.dir + "/report-\(k.rawValue)/index.html", encoding: .utf8)
            #expect(index.contains(k.isGated ? "model-fig4" : "fig1-trained"), "\(r)")
            // Figs. 1–2 for every model: the top layer's recurrent block against the whole state's Q vectors.
            let name = k.isGated ? "model" : "trained"
            let data = try Data(contentsOf: URL(fileURLWithPath: ModelMatrixTests.zoo.dir + "/report-\(k.rawValue)/alignment-\(name).json"))
            let alignment = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(alignment["q_count"] as? Int == k.stateSize && index.contains("fig1-\(name)"), "\(r)")
        }, cells: reportCells),
    ]

    /// The refusal line of a cell, `{model}` resolved.
    static func refusal(_ message: String, _ kind: ModelKind) -> String {
        "ftle: " + message.replacingOccurrences(of: "{model}", with: zoo.models[kind]!) + "\n"
    }

    static func expect(_ cell: Cell, _ r: CLI.Result, kind: ModelKind, check: (ModelKind, CLI.Result) throws -> Void) throws {
        #expect(!r.timedOut)
        switch cell {
        case .works:
            #expect(r.status == 0, "\(r.stderr)")
            if r.status == 0 { try check(kind, r) }
        case let .partialToday(note):
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains(note), "\(r.stdout)")
            if r.status == 0 { try check(kind, r) }
        case let .refusedToday(message), let .refusedByDesign(message):
            #expect(r.stderr == refusal(message, kind))
            #expect(r.status != 0)
        }
    }

    @Test(arguments: rows, ModelKind.allCases)
    func cell(_ row: Row, _ kind: ModelKind) throws {
        let z = Self.zoo
        try Self.expect(row.cell(kind), try CLI.run(row.arguments(kind, z)), kind: kind, check: row.check)
    }

    /// The train row: the zoo's own runs (`ftle train --task rowwise`, one epoch on 128 images).
    static let train: [Cell] = all

    @Test(arguments: ModelKind.allCases)
    func trainOnMNIST(_ kind: ModelKind) throws {
        let r = try #require(Self.zoo.training[kind])
        try Self.expect(Self.train[ModelKind.allCases.firstIndex(of: kind)!], r, kind: kind) { kind, r in
            let cell = kind.isGated ? (kind.isLSTM ? " lstm" : " gru") : kind == .relu ? " relu" : ""
            #expect(r.stdout.contains("training rowwise\(cell) H=32\(kind.layers > 1 ? " L=2" : "") batch=32"), "\(r.stdout)")
            #expect(r.stdout.hasSuffix("done: \(Self.zoo.dir)/\(kind.rawValue)/model.safetensors\n"))
            // φ took effect: the ReLU run's model says so (tanh is the files' default, unwritten).
            let meta = try SafeTensorsFile(contentsOf: Self.zoo.models[kind]!).metadata
            #expect(meta["nonlinearity"] == (kind == .relu ? "relu" : nil))
        }
    }

    /// `--init-from` a ReLU model (issue 27: refused before): the new run keeps φ and L of its
    /// starting weights.
    @Test func initFromAReLUModelKeepsItsNonlinearity() throws {
        let out = Self.zoo.dir + "/init-from-relu"
        let r = try CLI.run(ModelZoo.trainArguments(.tanh, out: out) + ["--init-from", Self.zoo.models[.relu]!])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try SafeTensorsFile(contentsOf: out + "/model.safetensors").metadata["nonlinearity"] == "relu")
    }

    /// The README's rows, in order, and the rows of this test each one stands for.
    static let readmeRows: [[String]] = [
        ["train (MNIST)"], ["train --inputs"], ["eval", "eval --inputs"], ["predict --image", "predict --input"],
        ["spectrum --image", "spectrum --input"], ["spectrum --ensemble (images)", "spectrum --ensemble --inputs"],
        ["clv --image", "clv --input"], ["gradient --image", "gradient --input"], ["align", "align --inputs"],
        ["perturb (MNIST flips)", "perturb --inputs (steps)"], ["perturb (MNIST flips) on a model of no task"], ["report"],
        ["explore (image)", "explore --input"], ["explore: alignment pane"], ["explore: t"],
    ]

    /// README, "Which commands work on which models": ✓ for `.works`, "✓, … not yet" for
    /// `.partialToday`, "not yet" for `.refusedToday`, "no" for `.refusedByDesign`.
    @Test func readmeTableMatchesTheCells() throws {
        var cells = Dictionary(uniqueKeysWithValues: Self.rows.map { ($0.name, $0.cells) })
        cells["train (MNIST)"] = Self.train
        cells["explore (image)"] = Self.exploreImage; cells["explore --input"] = Self.exploreSequence
        cells["explore: alignment pane"] = Self.exploreAlignment; cells["explore: t"] = Self.exploreTrain
        #expect(Set(Self.readmeRows.joined()) == Set(cells.keys) && cells.values.allSatisfy { $0.count == ModelKind.allCases.count })
        let readme = try String(contentsOfFile: CLI.root + "/README.md", encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "\n## Which commands work on which models\n").dropFirst().first)
        let lines = section.components(separatedBy: "\n## ")[0].split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| command") }
        try #require(lines.count == Self.readmeRows.count, "\(lines)")
        for (line, names) in zip(lines, Self.readmeRows) {
            let fields = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.dropFirst()
            #expect(fields.count == ModelKind.allCases.count, "\(line)")
            for (i, text) in fields.enumerated() { for name in names {
                let matches = switch cells[name]![i] {
                case .works: text == "✓"
                case .partialToday: text.hasPrefix("✓") && text.contains("not yet")
                case .refusedToday: text.hasPrefix("not yet")
                case .refusedByDesign: text.hasPrefix("no") && !text.hasPrefix("not yet")
                }
                #expect(matches, "README row \(line.prefix(40)), \(ModelKind.allCases[i]): \"\(text)\" but the test says \(cells[name]![i])")
            } }
        }
    }
}
