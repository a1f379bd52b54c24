import Foundation
import TestSupport
import Testing

/// `ftle align` on the shipped single-layer GRU and LSTM (H = 128, row-wise MNIST), over the
/// whole recurrent block (the default) and one gate's rows (`--gate`): the study's shape (K = N
/// Q vectors: H for a GRU, 2H for an LSTM), the recorded choices, ‖q_h‖, thread independence
/// through the real binary, and the bad inputs of rows 580–589 of docs/bad-inputs.md. The
/// numerics (prefix gradients against central differences, A_t's invariants) are held in
/// AnalysisTests/BlockAlignmentTests.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct GatedAlignCLITests {
    static let models = CLI.root + "/Samples/models"

    @Test(arguments: [("gru", "z", 128), ("lstm", "f", 256), ("gru", "all", 128), ("lstm", "all", 256)])
    func alignStudiesARecurrentBlockOverTheStateDirections(cell: String, gate: String, k: Int) throws {
        let model = "\(Self.models)/rowwise-\(cell)-h128.safetensors"
        let args = ["align", "--model", model, "--samples", "2"] + (gate == "all" ? [] : ["--gate", gate])
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
        // ‖q_h‖: 1 for a GRU (the state is h); for an LSTM in (0, 1), the rest of each Q vector is in c.
        let norms = (obj["q_norm_by_index"] as? [Double]) ?? []
        #expect(norms.count == k && obj["q_components"] as? String == "state")
        if cell == "gru" { #expect(norms.allSatisfy { abs($0 - 1) < 1e-12 }) }
        else { #expect(norms.allSatisfy { $0 > 0 && $0 < 1 }) }
        let csv = try CLI.run(args + ["--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.split(separator: "\n").count == 1 + 28 * k)
    }

    static let cases: [BadInputCase] = {
        let gru = "\(models)/rowwise-gru-h128.safetensors", lstm = "\(models)/rowwise-lstm-h128.safetensors"
        let stacked = CLI.root + "/Tests/Fixtures/pytorch-gated/gru-2layer.safetensors"
        return [
            BadInputCase(name: "581 --gate of the other cell", args: ["align", "--model", gru, "--gate", "f"],
                         stderr: "ftle: --gate \"f\" is not a gate of layer 0 (r, z, n)\n", status: 1),
            BadInputCase(name: "582 --gate on a vanilla model", args: ["align", "--model", "\(models)/rowwise-h128.safetensors", "--gate", "z"],
                         stderr: "ftle: --gate \"z\" names a GRU or LSTM gate block; layer 0 is a vanilla RNN layer\n", status: 1),
            BadInputCase(name: "583 --layer past a stacked GRU's top", args: ["align", "--model", stacked, "--layer", "2"],
                         stderr: "ftle: --layer 2 is not a layer of this model (it has layers 0…1)\n", status: 1),
            BadInputCase(name: "584 --random-range past an LSTM's N = 2H", args: ["align", "--model", lstm, "--random-range", "6-300"],
                         stderr: "ftle: --random-range 6-300 must hold at least ten indices of 1…N = 256\n", status: 1),
            BadInputCase(name: "585 --first past a gate block's H", args: ["align", "--model", lstm, "--gate", "o", "--first", "200"],
                         stderr: "ftle: --first/--last exceed H = 128\n", status: 1),
            BadInputCase(name: "586 an empty --gate", args: ["align", "--model", lstm, "--gate", ""],
                         stderr: "ftle: --gate \"\" is not a gate of layer 0 (i, f, g, o)\n", status: 1),
            BadInputCase(name: "587 --singular left of a whole gated block", args: ["align", "--model", gru, "--singular", "left"],
                         stderr: "ftle: --singular left: the left singular vectors of rnn.weight_hh_l0 live in its 384 gate rows, not in the state; give --gate\n", status: 1),
            BadInputCase(name: "588 --q-components unknown", args: ["align", "--model", lstm, "--q-components", "h"],
                         stderr: "ftle: The value 'h' is invalid for '--q-components <q-components>'. Please provide one of 'state' and 'renormalised'.\n", status: 2),
            BadInputCase(name: "589 --layer negative", args: ["align", "--model", lstm, "--layer=-1"],
                         stderr: "ftle: --layer -1 is not a layer of this model (it has layer 0 only)\n", status: 1),
        ]
    }()

    @Test(arguments: cases)
    func badInput(_ c: BadInputCase) throws {
        try c.expectExactly()
    }
}
