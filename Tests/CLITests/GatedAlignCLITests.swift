import Foundation
import TestSupport
import Testing

/// `ftle align --gate` on the shipped single-layer GRU and LSTM (H = 128, row-wise MNIST): the
/// study's shape (K = H Q vectors for a GRU, 2H for an LSTM), the recorded choices, thread
/// independence through the real binary, and the bad inputs of rows 580–589 of
/// docs/bad-inputs.md. The numerics (adjoint, gate gradients against central differences,
/// A_t's invariants) are held in AnalysisTests/GatedAlignmentTests.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct GatedAlignCLITests {
    static let models = CLI.root + "/Samples/models"

    @Test(arguments: [("gru", "z", 128), ("lstm", "f", 256)])
    func alignStudiesAGateBlockOverTheStateDirections(cell: String, gate: String, k: Int) throws {
        let model = "\(Self.models)/rowwise-\(cell)-h128.safetensors"
        let args = ["align", "--model", model, "--gate", gate, "--samples", "2"]
        let one = try CLI.run(args + ["--threads", "1"]), two = try CLI.run(args + ["--threads", "2"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr) \(two.stderr)")
        #expect(one.stdout == two.stdout, "--threads 2 changed the output")
        let obj = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(obj["cell"] as? String == cell && obj["gate"] as? String == gate)
        #expect(obj["q_count"] as? Int == k && obj["hidden"] as? Int == 128 && obj["steps"] as? Int == 28)
        let byIndex = obj["std_by_index_first5"] as? [[Double]] ?? []
        #expect(byIndex.count == 28 && byIndex.allSatisfy { $0.count == k })
        let indices = obj["q_indices"] as? [String: [Int]] ?? [:]
        #expect(indices["last10"] == Array((k - 9)...k))
        #expect(obj["random_range"] as? [Int] == [11, k - 10])
        for key in ["std_first10", "std_last10", "std_random10"] {
            let v = obj[key] as? Double ?? .nan
            #expect(v > 0 && v < 1, "\(key) = \(v)")
            // Its bootstrap SE over the two samples: positive (the samples differ) and below the value.
            let se = obj[key + "_se"] as? Double ?? .nan
            #expect(se > 0 && se < v, "\(key)_se = \(se)")
        }
        #expect(obj["bootstrap_resamples"] as? Int == 1000 && obj["bootstrap_seed"] as? Int == 0)
        let csv = try CLI.run(args + ["--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 1 + 28 * k)
    }

    static let cases: [BadInputCase] = {
        let gru = "\(models)/rowwise-gru-h128.safetensors", lstm = "\(models)/rowwise-lstm-h128.safetensors"
        let stacked = CLI.root + "/Tests/Fixtures/pytorch-gated/gru-2layer.safetensors"
        return [
            BadInputCase(name: "580 align on a GRU without --gate", args: ["align", "--model", gru],
                         stderr: "ftle: a GRU model: choose the gate block whose recurrent gradient is compared with --gate r|z|n\n", status: 1),
            BadInputCase(name: "581 --gate of the other cell", args: ["align", "--model", gru, "--gate", "f"],
                         stderr: "ftle: --gate \"f\" is not a GRU's gate (r, z, n)\n", status: 1),
            BadInputCase(name: "582 --gate on a vanilla model", args: ["align", "--model", "\(models)/rowwise-h128.safetensors", "--gate", "z"],
                         stderr: "ftle: --gate \"z\" names a GRU or LSTM gate block; this model is a vanilla RNN (align compares Q with ∂ℓ_t/∂V)\n", status: 1),
            BadInputCase(name: "583 align --gate on a stacked GRU", args: ["align", "--model", stacked, "--gate", "r"],
                         stderr: "ftle: align studies one gated layer's recurrent weights; this GRU has 2 layers\n", status: 1),
            BadInputCase(name: "584 --random-range past an LSTM's 2H", args: ["align", "--model", lstm, "--gate", "i", "--random-range", "6-300"],
                         stderr: "ftle: --random-range 6-300 must hold at least ten indices of 1…2H = 256\n", status: 1),
            BadInputCase(name: "585 --first past a gate block's H", args: ["align", "--model", lstm, "--gate", "o", "--first", "200"],
                         stderr: "ftle: --first/--last exceed H = 128\n", status: 1),
            BadInputCase(name: "586 an empty --gate", args: ["align", "--model", lstm, "--gate", ""],
                         stderr: "ftle: --gate \"\" is not an LSTM's gate (i, f, g, o)\n", status: 1),
        ]
    }()

    @Test(arguments: cases)
    func badInput(_ c: BadInputCase) throws {
        try c.expectExactly()
    }
}
