import Foundation
import RNN
import TestSupport
import Testing

/// Rows 500–519 of docs/bad-inputs.md: `ftle train --cell`'s bad inputs, with the exact stderr
/// and exit status. Usage errors are found before anything is read; crafted checkpoints of a
/// tiny GRU run (and of a tiny vanilla run) check what `--resume` refuses.
extension BadInputTests {
    struct GatedFixtures: Sendable {
        let dir: String
        init() {
            dir = temporaryFolder("bad-gated")
            let tiny = ["--task", "rowwise", "--hidden", "8", "--train-limit", "64", "--batch", "32", "--epochs", "1", "--test-limit", "20"]
            for (name, cell) in [("gru-run", "gru"), ("rnn-run", "rnn")] {
                let r = try! CLI.run(["train", "--cell", cell] + tiny + ["--out", dir + "/" + name])
                precondition(r.status == 0, "tiny \(cell) run failed: \(r)")
            }
        }

        /// A copy of run `source` whose checkpoint's training_config has `edit` applied.
        func crafted(_ name: String, from source: String, _ edit: (inout [String: Any]) -> Void) -> String {
            copyOfRun(in: dir, name, from: source, edit)
        }
    }

    static let gatedFixtures = GatedFixtures()

    static let gatedCases: [Case] = {
        let fx = gatedFixtures, d = fx.dir
        let saysLSTM = fx.crafted("says-lstm", from: "gru-run") { $0["cell"] = "lstm" }
        let saysRNN = fx.crafted("says-rnn", from: "gru-run") { $0["cell"] = nil }
        let rnnSaysGRU = fx.crafted("rnn-says-gru", from: "rnn-run") { $0["cell"] = "gru" }
        let unknownCell = fx.crafted("says-tree", from: "gru-run") { $0["cell"] = "tree" }
        let inputBias = fx.crafted("gru-bias-input", from: "gru-run") { $0["bias"] = "input" }
        func train(_ args: [String], _ out: String = "never") -> [String] { ["train"] + args + ["--out", d + "/" + out] }
        return [
            Case(name: "500 --cell unknown", args: train(["--cell", "tree"]),
                 stderr: "ftle: The value 'tree' is invalid for '--cell <cell>'. Please provide one of 'rnn', 'gru' or 'lstm'.\n", status: 2),
            Case(name: "501 --cell gru --bias input", args: train(["--cell", "gru", "--bias", "input"]),
                 stderr: "ftle: --cell gru trains both biases (bias_ih and bias_hh, as PyTorch); --bias input applies to --cell rnn only\n", status: 2),
            Case(name: "502 --cell lstm --bias none", args: train(["--cell", "lstm", "--bias", "none"]),
                 stderr: "ftle: --cell lstm trains both biases (bias_ih and bias_hh, as PyTorch); --bias none applies to --cell rnn only\n", status: 2),
            Case(name: "503 --cell gru --init orthogonal", args: train(["--cell", "gru", "--init", "orthogonal"]),
                 stderr: "ftle: --cell gru uses PyTorch's default initialisation; --init orthogonal applies to --cell rnn only\n", status: 2),
            Case(name: "504 --cell lstm --init xavier-normal --recurrent-gain 2", args: train(["--cell", "lstm", "--init", "xavier-normal", "--recurrent-gain", "2"]),
                 stderr: "ftle: --cell lstm uses PyTorch's default initialisation; --init xavier-normal applies to --cell rnn only\n", status: 2),
            Case(name: "505 --cell gru with --inputs and --nonlinearity", args: train(["--cell", "gru", "--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--nonlinearity", "relu"]),
                 stderr: "ftle: --cell gru has no choice of nonlinearity; --nonlinearity applies to --cell rnn only\n", status: 2),
            Case(name: "506 --cell lstm with --init-from", args: train(["--cell", "lstm", "--init-from", d + "/rnn-run/model.safetensors"]),
                 stderr: "ftle: --cell lstm starts from PyTorch's default initialisation; --init-from applies to --cell rnn only\n", status: 2),
            Case(name: "507 --cell with --resume", args: train(["--cell", "gru", "--resume"], "gru-run"),
                 stderr: "ftle: --resume takes the cell from the checkpoint; drop --cell\n", status: 2),
            Case(name: "508 checkpoint config says lstm, weights are a GRU's", args: ["train", "--resume", "--out", saysLSTM],
                 stderr: "ftle: \(saysLSTM)/checkpoint.safetensors: training_config says cell lstm but the weights are a GRU's\n", status: 1),
            Case(name: "509 GRU checkpoint whose config has no cell (rnn)", args: ["train", "--resume", "--out", saysRNN],
                 stderr: "ftle: \(saysRNN)/checkpoint.safetensors: a GRU model (\"rnn.weight_hh_l0\" is 3H×H) where a vanilla RNN is expected (GRU and LSTM models: predict, eval, spectrum, gradient, perturb, align, explore, report --gated)\n", status: 1),
            Case(name: "510 vanilla checkpoint whose config says gru", args: ["train", "--resume", "--out", rnnSaysGRU],
                 stderr: "ftle: \(rnnSaysGRU)/checkpoint.safetensors: \"rnn.weight_hh_l0\" is 8×8: not a GRU (3H×H) or LSTM (4H×H)\n", status: 1),
            Case(name: "511 checkpoint config with an unknown cell", args: ["train", "--resume", "--out", unknownCell],
                 stderr: "ftle: \(unknownCell)/checkpoint.safetensors: training_config: cell \"tree\" is not one of ftle's own (rnn, gru or lstm); a registered cell trains as a Network\n", status: 1),
            Case(name: "512 gated checkpoint config with bias input", args: ["train", "--resume", "--out", inputBias],
                 stderr: "ftle: \(inputBias)/checkpoint.safetensors: training_config: --cell gru trains both biases (bias_ih and bias_hh, as PyTorch); --bias input applies to --cell rnn only\n", status: 1),
        ]
    }()

    @Test(arguments: gatedCases)
    func gatedBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
