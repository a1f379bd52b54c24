import Foundation
import Linalg
import MNIST
import RNN
import TestSupport
import Testing

/// `ftle predict`, `spectrum` and `eval` on PyTorch `nn.GRU`/`nn.LSTM` + `nn.Linear` models
/// (Tests/Fixtures/pytorch-gated, two layers each, written by make_models.py and
/// make_fixture.py): the logits equal PyTorch's and ln r at every step equals the
/// autograd-Jacobian QR reference (float64, full frame K = N) to 1e-9 through the real binary;
/// and the bad inputs of rows 520–539 of docs/bad-inputs.md.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct GatedCLITests {
    static let fixtures = CLI.root + "/Tests/Fixtures/pytorch-gated"

    struct Expected: Decodable {
        let logits: [Double]
        let log_r: [[Double]]
        let state_size: Int
    }

    static func expected(_ cell: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(cell)-expected.json")))
    }

    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    }

    /// Tolerance 1e-9 (absolute, on logits of size ~1 and on ln r): the bar; the
    /// library-level tests hold the same quantities to 1e-12 per step.
    @Test(arguments: ["gru", "lstm"])
    func logitsAndLogRMatchPyTorch(cell: String) throws {
        let want = try Self.expected(cell)
        let model = "\(Self.fixtures)/\(cell)-2layer.safetensors", input = "\(Self.fixtures)/\(cell)-input.npy"
        let predicted = try Self.json(["predict", "--model", model, "--input", input, "--format", "json"])
        let logits = predicted["logits"] as? [Double] ?? []
        #expect(logits.count == want.logits.count)
        for (a, b) in zip(logits, want.logits) { #expect(abs(a - b) <= 1e-9, "\(cell) logit \(a) vs \(b)") }

        let spectrum = try Self.json(["spectrum", "--model", model, "--input", input, "--format", "json"])
        #expect(spectrum["cell"] as? String == cell)
        #expect(spectrum["state_size"] as? Int == want.state_size)
        #expect(spectrum["k"] as? Int == want.state_size)
        let logR = spectrum["log_r"] as? [[Double]] ?? []
        #expect(logR.count == want.log_r.count)
        var worst = 0.0
        for (row, wantRow) in zip(logR, want.log_r) {
            #expect(row.count == wantRow.count)
            for (a, b) in zip(row, wantRow) { worst = max(worst, abs(a - b)) }
        }
        #expect(worst <= 1e-9, "\(cell): largest |Δ ln r| = \(worst)")
    }

    /// eval --inputs agrees with predict, sequence by sequence: three sequences (the fixture's
    /// input, its negation, half of it) labelled with predict's classes 0, 1, 2 give the accuracy
    /// and mean loss computed from predict's own logits.
    /// `gradient` on every stacked model through the binary (issue 27): each layer's whole
    /// recurrent block, and one gate's rows, by BPTT and through Q and R agree to 1e-9; the
    /// gate's rows are a part of the whole block (smaller norm).
    @Test func gradientOfStackedModelsOfEveryCell() throws {
        let relu = CLI.root + "/Tests/Fixtures/pytorch-rnn/model.safetensors", xr = CLI.root + "/Tests/Fixtures/pytorch-rnn/input.npy"
        let models: [(String, String, [String])] = [(relu, xr, []), ("\(Self.fixtures)/gru-2layer.safetensors", "\(Self.fixtures)/gru-input.npy", ["r", "n"]),
                                                    ("\(Self.fixtures)/lstm-2layer.safetensors", "\(Self.fixtures)/lstm-input.npy", ["f", "o"])]
        for (model, x, gates) in models {
            for layer in 0..<2 {
                let base = ["gradient", "--model", model, "--input", x, "--label", "1", "--layer", String(layer), "--format", "json"]
                let whole = try Self.json(base)
                #expect(whole["parameter"] as? String == "rnn.weight_hh_l\(layer)")
                let norm = whole["norm_bptt"] as? Double ?? 0
                #expect(norm > 1e-8, "\(model) layer \(layer)")
                #expect((whole["relative_difference"] as? Double ?? 1) < 1e-9, "\(model) layer \(layer)")
                for gate in gates {
                    let part = try Self.json(base + ["--gate", gate])
                    #expect((part["relative_difference"] as? Double ?? 1) < 1e-9, "\(model) layer \(layer) gate \(gate)")
                    #expect((part["norm_bptt"] as? Double ?? 1) < norm, "\(model) layer \(layer) gate \(gate)")
                }
            }
        }
    }

    @Test func evalAgreesWithPredict() throws {
        let dir = temporaryFolder("gated-eval")
        let model = "\(Self.fixtures)/gru-2layer.safetensors"
        let x = try NPYArray(contentsOf: "\(Self.fixtures)/gru-input.npy")
        let variants = [x.values, x.values.map { -$0 }, x.values.map { $0 / 2 }]
        var losses: [Double] = [], correct = 0
        for (n, v) in variants.enumerated() {
            let path = "\(dir)/x\(n).npy"
            try Data(NPYArray(shape: x.shape, values: v).encoded(float32: false)).write(to: URL(fileURLWithPath: path))
            let p = try Self.json(["predict", "--model", model, "--input", path, "--label", String(n), "--format", "json"])
            losses.append(p["loss"] as? Double ?? .nan)
            if p["predicted"] as? Int == n { correct += 1 }
        }
        try Data(NPYArray(shape: [3] + x.shape, values: variants.flatMap { $0 }).encoded(float32: false))
            .write(to: URL(fileURLWithPath: dir + "/set-x.npy"))
        try Data(NPYArray(shape: [3], values: [0, 1, 2]).encoded(float32: false)).write(to: URL(fileURLWithPath: dir + "/set-y.npy"))
        for threads in ["1", "2"] {
            let e = try Self.json(["eval", "--model", model, "--inputs", dir + "/set-x.npy", "--labels", dir + "/set-y.npy",
                                   "--format", "json", "--threads", threads])
            #expect(abs((e["loss"] as? Double ?? .nan) - losses.reduce(0, +) / 3) <= 1e-12)
            #expect(e["accuracy"] as? Double == Double(correct) / 3)
            #expect(e["sequences"] as? Int == 3)
        }
    }

    /// perturb on a GRU of the row-wise task (I = 28, H = 6, C = 10, random weights): for each
    /// image, the ranked pixels are the top k of the ranking by ln r_t^1 that `spectrum --k 1`
    /// gives for that image (a row's 28 pixels share its step; ties by pixel index), and the
    /// ranked flip's logits are those `predict` gives for the flipped image written as a .npy
    /// sequence (1e-12). Two images, k = 5 and 40 (40 spans two rows).
    @Test func perturbRanksByR1AndFlipsThoseInputs() throws {
        let dir = temporaryFolder("gated-perturb")
        var rng = SeededRandom(seed: 31)
        let h = 6, g = 3
        func tensor(_ shape: [Int], _ scale: Double) -> Tensor {
            Tensor(float64: (0..<shape.reduce(1, *)).map { _ in scale * rng.nextNormal() }, shape: shape)
        }
        let file = SafeTensorsFile(tensors: [
            "rnn.weight_ih_l0": tensor([g * h, 28], 0.5), "rnn.weight_hh_l0": tensor([g * h, h], 1.0),
            "rnn.bias_ih_l0": tensor([g * h], 0.2), "rnn.bias_hh_l0": tensor([g * h], 0.2),
            "fc.weight": tensor([10, h], 1.0), "fc.bias": tensor([10], 0.1),
        ], metadata: ["task": "rowwise", "cell": "gru"])
        let model = dir + "/gru-rowwise.safetensors"
        try Data(file.encoded()).write(to: URL(fileURLWithPath: model))
        let study = try Self.json(["perturb", "--model", model, "--images", "2", "--k", "5,40", "--random", "3", "--format", "json"])
        #expect(study["cell"] as? String == "gru")
        let perImage = study["per_image"] as? [[String: Any]] ?? []
        #expect(perImage.count == 2)
        let test = try MNISTDataset.load(directory: CLI.root + "/Samples/mnist", split: .test)
        for (n, result) in perImage.enumerated() {
            let spectrum = try Self.json(["spectrum", "--model", model, "--image", String(n), "--k", "1", "--format", "json"])
            let r1 = (spectrum["log_r"] as? [[Double]] ?? []).map { $0[0] }
            #expect(r1.count == 28)
            let score: [Double] = (0..<784).map { r1[$0 / 28] }
            let ranking: [Int] = Array(0..<784).sorted { (a: Int, b: Int) -> Bool in
                score[a] != score[b] ? score[a] > score[b] : a < b
            }
            let image = test.image(n)
            for (j, perK) in (result["per_k"] as? [[String: Any]] ?? []).enumerated() {
                let k = [5, 40][j]
                let pixels = perK["ranked_pixels"] as? [Int] ?? []
                #expect(pixels == Array(ranking.prefix(k)), "image \(n) k \(k)")
                var flipped = image
                for p in pixels { flipped[p] = image[p] < 0.001 ? 1 : 0 }
                let path = "\(dir)/flipped-\(n)-\(k).npy"
                try Data(NPYArray(shape: [28, 28], values: flipped.map(Double.init)).encoded(float32: false)).write(to: URL(fileURLWithPath: path))
                let predicted = try Self.json(["predict", "--model", model, "--input", path, "--format", "json"])
                let want = predicted["logits"] as? [Double] ?? [], got = perK["ranked_logits"] as? [Double] ?? []
                #expect(want.count == 10 && got.count == 10)
                for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-12) }
            }
        }
    }

    /// perturb --inputs on a 2-layer LSTM (PyTorch's fixture): for each of three sequences the
    /// ranked steps are the top k of the ranking by ln r_t^1 that `spectrum --k 1` gives (ties by
    /// step), and the ranked logits are `predict`'s on the sequence with those steps zeroed (1e-12).
    @Test func perturbInputsRanksStepsOfAGatedModel() throws {
        let dir = temporaryFolder("gated-perturb-inputs")
        let model = "\(Self.fixtures)/lstm-2layer.safetensors"
        let x = try NPYArray(contentsOf: "\(Self.fixtures)/lstm-input.npy")
        let (steps, inputSize) = (x.shape[0], x.shape[1])
        let variants = [x.values, x.values.map { -$0 }, x.values.map { $0 / 2 }]
        try Data(NPYArray(shape: [3] + x.shape, values: variants.flatMap { $0 }).encoded(float32: false))
            .write(to: URL(fileURLWithPath: dir + "/set-x.npy"))
        try Data(NPYArray(shape: [3], values: [0, 1, 2]).encoded(float32: false)).write(to: URL(fileURLWithPath: dir + "/set-y.npy"))
        let ks = [1, 2]
        let study = try Self.json(["perturb", "--model", model, "--inputs", dir + "/set-x.npy", "--labels", dir + "/set-y.npy",
                                   "--k", "1,2", "--random", "2", "--baseline", "zero", "--format", "json"])
        #expect(study["cell"] as? String == "lstm" && study["unit"] as? String == "steps")
        let perSequence = study["per_image"] as? [[String: Any]] ?? []
        #expect(perSequence.count == 3)
        for (n, result) in perSequence.enumerated() {
            let path = "\(dir)/x\(n).npy"
            try Data(NPYArray(shape: x.shape, values: variants[n]).encoded(float32: false)).write(to: URL(fileURLWithPath: path))
            let spectrum = try Self.json(["spectrum", "--model", model, "--input", path, "--k", "1", "--format", "json"])
            let r1 = (spectrum["log_r"] as? [[Double]] ?? []).map { $0[0] }
            #expect(r1.count == steps)
            let ranking = Array(0..<steps).sorted { r1[$0] != r1[$1] ? r1[$0] > r1[$1] : $0 < $1 }
            for (j, perK) in (result["per_k"] as? [[String: Any]] ?? []).enumerated() {
                let ranked = perK["ranked_pixels"] as? [Int] ?? []
                #expect(ranked == Array(ranking.prefix(ks[j])), "sequence \(n) k \(ks[j])")
                var zeroed = variants[n]
                for t in ranked { for i in 0..<inputSize { zeroed[t * inputSize + i] = 0 } }
                let zeroedPath = "\(dir)/zeroed-\(n)-\(ks[j]).npy"
                try Data(NPYArray(shape: x.shape, values: zeroed).encoded(float32: false)).write(to: URL(fileURLWithPath: zeroedPath))
                let want = try Self.json(["predict", "--model", model, "--input", zeroedPath, "--format", "json"])["logits"] as? [Double] ?? []
                let got = perK["ranked_logits"] as? [Double] ?? []
                #expect(!want.isEmpty && got.count == want.count)
                for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-12) }
            }
        }
    }

    /// report --gated writes each model's Table 1 and Figs. 3–4 (and Figs. 1–2 when its state
    /// has N ≥ 30); its table is the one `perturb --format markdown` prints for the same model
    /// and images.
    @Test func reportOfAGatedModel() throws {
        let dir = temporaryFolder("gated-report")
        var rng = SeededRandom(seed: 33)
        let h = 5, g = 4
        func tensor(_ shape: [Int], _ scale: Double) -> Tensor {
            Tensor(float64: (0..<shape.reduce(1, *)).map { _ in scale * rng.nextNormal() }, shape: shape)
        }
        let file = SafeTensorsFile(tensors: [
            "rnn.weight_ih_l0": tensor([g * h, 28], 0.5), "rnn.weight_hh_l0": tensor([g * h, h], 1.0),
            "fc.weight": tensor([10, h], 1.0), "fc.bias": tensor([10], 0.1),
        ], metadata: ["task": "rowwise"])
        let model = dir + "/lstm-rowwise.safetensors"
        try Data(file.encoded()).write(to: URL(fileURLWithPath: model))
        let r = try CLI.run(["report", "--gated", model, "--images", "3", "--out", dir + "/report"])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["index.html", "lstm-rowwise-table1.md", "lstm-rowwise-fig3.svg", "lstm-rowwise-fig4.svg",
                     "lstm-rowwise-sensitivity-both.json", "lstm-rowwise-sensitivity-up.json", "lstm-rowwise-sensitivity-down.json"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/report/" + name), "\(name)")
        }
        let table = try String(contentsOfFile: dir + "/report/lstm-rowwise-table1.md", encoding: .utf8)
        let perturbed = try CLI.run(["perturb", "--model", model, "--images", "3", "--format", "markdown"])
        #expect(perturbed.status == 0)
        #expect(table.hasSuffix(perturbed.stdout), "report's Table 1 differs from perturb's")
        // N = 2H = 10 < 30: no alignment study, and the report says why instead of failing.
        let index = try String(contentsOfFile: dir + "/report/index.html", encoding: .utf8)
        #expect(index.contains("lstm-rowwise: no alignment study (Figs. 1–2): it needs N ≥ 30 Q vectors (three groups of ten); the state has N = 10"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/report/fig1-lstm-rowwise.svg"))
    }

    static let cases: [BadInputCase] = {
        let dir = temporaryFolder("gated-bad")
        let f = fixtures, gru = "\(fixtures)/gru-2layer.safetensors", lstm = "\(fixtures)/lstm-2layer.safetensors"
        let x = "\(fixtures)/gru-input.npy", xl = "\(fixtures)/lstm-input.npy"
        func write(_ name: String, _ edit: (inout SafeTensorsFile) -> Void, from source: String = gru) -> String {
            var file = try! SafeTensorsFile(contentsOf: source)
            edit(&file)
            let path = dir + "/" + name
            try! Data(file.encoded()).write(to: URL(fileURLWithPath: path))
            return path
        }
        let relu = write("gru-relu.safetensors") { $0.metadata["nonlinearity"] = "relu" }
        let stray = write("gru-stray.safetensors") { $0.tensors["rnn.weight_hh_l3"] = $0.tensors["rnn.weight_hh_l1"] }
        let saysLSTM = write("gru-says-lstm.safetensors") { $0.metadata["cell"] = "lstm" }
        let saysGRU = write("rnn-says-gru.safetensors", { $0.metadata["cell"] = "gru" },
                            from: CLI.root + "/Samples/models/rowwise-h128.safetensors")
        let n = (try? expected("lstm").state_size) ?? 0
        return [
            BadInputCase(name: "520 a vanilla-only study given a GRU (gradient took GRU and LSTM models from issue 27 on)", args: ["report", "--rowwise", gru, "--out", dir + "/never"],
                         stderr: "ftle: \(gru): a GRU model (\"rnn.weight_hh_l0\" is 3H×H) where a vanilla RNN is expected (GRU and LSTM models: predict, eval, spectrum, gradient, perturb, align, explore, report --gated)\n", status: 1),
            BadInputCase(name: "702 gradient --gate on a GRU, not one of its gates", args: ["gradient", "--model", gru, "--input", x, "--label", "1", "--gate", "f"],
                         stderr: "ftle: --gate \"f\" is not a gate of layer 1 (r, z, n)\n", status: 1),
            BadInputCase(name: "703 gradient --layer past the top layer", args: ["gradient", "--model", gru, "--input", x, "--label", "1", "--layer", "2"],
                         stderr: "ftle: --layer 2 is not a layer of this model (it has layers 0…1)\n", status: 1),
            BadInputCase(name: "704 gradient --layer negative", args: ["gradient", "--model", gru, "--input", x, "--label", "1", "--layer=-1"],
                         stderr: "ftle: --layer -1 is not a layer of this model (it has layers 0…1)\n", status: 1),
            BadInputCase(name: "705 gradient --layer not a number", args: ["gradient", "--model", gru, "--input", x, "--label", "1", "--layer", "top"],
                         stderr: "ftle: The value 'top' is invalid for '--layer <layer>'\n", status: 2),
            BadInputCase(name: "521 --nonlinearity relu on a gated model", args: ["predict", "--model", gru, "--input", x, "--nonlinearity", "relu"],
                         stderr: "ftle: \(gru): --nonlinearity relu applies to vanilla RNN models; this one is gated\n", status: 1),
            BadInputCase(name: "522 --k past an LSTM's 2H state", args: ["spectrum", "--model", lstm, "--input", xl, "--k", String(n + 1)],
                         stderr: "ftle: --k \(n + 1) exceeds the state size N = \(n) (an LSTM's state is [h; c], 2H per layer)\n", status: 1),
            BadInputCase(name: "523 a GRU file that says nonlinearity relu", args: ["predict", "--model", relu, "--input", x],
                         stderr: "ftle: \(relu): metadata says nonlinearity \"relu\", but a GRU has no choice of nonlinearity\n", status: 1),
            BadInputCase(name: "524 a gated layer after a gap", args: ["predict", "--model", stray, "--input", x],
                         stderr: "ftle: \(stray): tensor \"rnn.weight_hh_l3\" does not belong to the 2-layer GRU \"rnn.weight_hh_l0\"…\"rnn.weight_hh_l1\"\n", status: 1),
            BadInputCase(name: "525 GRU weights, metadata cell lstm", args: ["spectrum", "--model", saysLSTM, "--input", x],
                         stderr: "ftle: \(saysLSTM): metadata says cell \"lstm\" but the weights are a GRU's\n", status: 1),
            BadInputCase(name: "526 vanilla weights, metadata cell gru", args: ["predict", "--model", saysGRU],
                         stderr: "ftle: \(saysGRU): metadata says cell \"gru\" but the weights are a vanilla RNN's (weight_hh is H×H)\n", status: 1),
            BadInputCase(name: "527 an MNIST image for a gated model without a task", args: ["predict", "--model", gru, "--image", "3"],
                         stderr: "ftle: --image needs a model of an MNIST task (rowwise, pixelwise or permuted); this model has none: give --input X.npy\n", status: 1),
            BadInputCase(name: "528 eval of a gated model without a task, no --inputs", args: ["eval", "--model", "\(f)/lstm-2layer.safetensors"],
                         stderr: "ftle: the model has no MNIST task: evaluate it on a set of sequences (--inputs X.npy --labels Y.npy)\n", status: 1),
            BadInputCase(name: "529 bench --cell on a training workload", args: ["bench", "train-rowwise", "--cell", "gru"],
                         stderr: "ftle: --cell applies to ftle-full and ftle-partial only\n", status: 2),
            BadInputCase(name: "530 bench --cell unknown", args: ["bench", "ftle-full", "--cell", "elman"],
                         stderr: "ftle: The value 'elman' is invalid for '--cell <cell>'. Please provide one of 'rnn', 'gru' or 'lstm'.\n", status: 2),
            BadInputCase(name: "531 bench --k past an LSTM's state", args: ["bench", "ftle-partial", "--cell", "lstm", "--hidden", "4", "--k", "9", "--steps", "3"],
                         stderr: "ftle: --k 9 exceeds the state size 8\n", status: 1),
            BadInputCase(name: "532 perturb --inputs on a gated model, one T×I sequence for a set", args: ["perturb", "--model", gru, "--inputs", xl, "--labels", xl],
                         stderr: "ftle: \(xl): array has shape [9, 3], expected N×T×I\n", status: 1),
            BadInputCase(name: "533 perturb of a gated model without a task", args: ["perturb", "--model", lstm],
                         stderr: "ftle: the model has no MNIST task: give sequences with --inputs X.npy --labels Y.npy\n", status: 1),
            BadInputCase(name: "535 report --gated with --preset paper-code", args: ["report", "--gated", gru, "--preset", "paper-code", "--out", dir + "/r1"],
                         stderr: "ftle: --gated studies GRU/LSTM models under the paper's R values; drop --reproduction and --preset\n", status: 2),
            BadInputCase(name: "536 report --gated of a vanilla model", args: ["report", "--gated", CLI.root + "/Samples/models/rowwise-h128.safetensors", "--out", dir + "/r2"],
                         stderr: "ftle: \(CLI.root)/Samples/models/rowwise-h128.safetensors: --gated takes GRU or LSTM models; this is a vanilla RNN (give it as --rowwise or --permuted)\n", status: 1),
            BadInputCase(name: "537 report --gated of a model without a task", args: ["report", "--gated", gru, "--out", dir + "/r3"],
                         stderr: "ftle: \(gru): report needs a model of an MNIST task; this model has none\n", status: 1),
            BadInputCase(name: "534 explore a gated model without a task", args: ["explore", "--model", gru],
                         stderr: "ftle: \(gru): the model has no MNIST task: give a sequence with --input X.npy or a set with --inputs X.npy --labels Y.npy\n", status: 1),
        ]
    }()

    @Test(arguments: cases)
    func badInput(_ c: BadInputCase) throws {
        try c.expectExactly()
    }
}
