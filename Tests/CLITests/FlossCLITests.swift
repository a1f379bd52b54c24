import Foundation
import TestSupport
import Testing

/// `ftle gradient --objective floss` through the binary against PyTorch's autograd through
/// `torch.linalg.qr` (Tests/Fixtures/pytorch-floss, written by PyTorch): tanh `nn.RNN` and
/// `nn.GRU`, H = 8, T = 20, K = 3, both conventions, every parameter within 1e-8 relative
/// (measured 1e-14 for tanh, 6e-13 for the GRU, whose second-order term is the adjoint's
/// extrapolated differences); rows 760–771 and 782 of docs/bad-inputs.md.
@Suite struct FlossCLITests {
    static let fixtures = CLI.root + "/Tests/Fixtures/pytorch-floss"

    @Test(arguments: ["rnn", "gru"], ["forward", "transposed"])
    func equalsPyTorchAutograd(_ cell: String, _ jacobian: String) throws {
        let r = try CLI.run(["gradient", "--model", "\(Self.fixtures)/\(cell).safetensors", "--input", "\(Self.fixtures)/\(cell)-input.npy",
                             "--objective", "floss", "--k", "3", "--jacobian", jacobian, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let ours = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let expectedFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/\(cell)-expected.json")))
        let expected = try #require((expectedFile as? [String: Any])?[jacobian] as? [String: Any])
        #expect(ours["objective"] as? String == "floss" && ours["k"] as? Int == 3)
        let value = try #require(ours["value"] as? Double), reference = try #require(expected["value"] as? Double)
        #expect(abs(value - reference) <= 1e-12 * abs(reference))
        let gradient = try #require(ours["gradient"] as? [String: Any]), torchGradient = try #require(expected["gradient"] as? [String: Any])
        #expect(Set(gradient.keys) == Set(torchGradient.keys))
        func flat(_ v: Any?) -> [Double] { (v as? [Double]) ?? ((v as? [[Double]])?.flatMap { $0 } ?? []) }
        for (name, torchValue) in torchGradient {
            let a = flat(gradient[name]), b = flat(torchValue)
            #expect(a.count == b.count && !a.isEmpty, "\(name)")
            if name.hasPrefix("fc.") { #expect(a.allSatisfy { $0 == 0 }); continue }
            #expect(b.map(abs).max()! > 1e-3, "\(cell) \(name): a non-trivial gradient")
            #expect(relativeError(a, b) <= 1e-8, "\(cell) \(jacobian) \(name): \(relativeError(a, b))")
        }
    }

    static let badCases: [BadInputCase] = {
        let m = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        let g = ["gradient", "--model", m, "--image", "0"]
        return [
            BadInputCase(name: "760 gradient --objective unknown", args: g + ["--objective", "lyapunov"],
                         stderr: "ftle: The value 'lyapunov' is invalid for '--objective <objective>'. Please provide one of 'loss' and 'floss'.\n", status: 2),
            BadInputCase(name: "761 --objective floss without --k", args: g + ["--objective", "floss"],
                         stderr: "ftle: --objective floss needs --k K, the number of exponents\n", status: 2),
            BadInputCase(name: "762 --objective floss --k 0", args: g + ["--objective", "floss", "--k", "0"],
                         stderr: "ftle: --k must be at least 1 (got 0)\n", status: 2),
            BadInputCase(name: "763 --objective floss --k -2", args: g + ["--objective", "floss", "--k", "-2"],
                         stderr: "ftle: --k must be at least 1 (got -2)\n", status: 2),
            BadInputCase(name: "764 --objective floss --k past N", args: g + ["--objective", "floss", "--k", "129"],
                         stderr: "ftle: --k 129 exceeds the state size N = 128\n", status: 1),
            BadInputCase(name: "765 --objective floss --k huge", args: g + ["--objective", "floss", "--k", "99999999999999999999"],
                         stderr: "ftle: The value '99999999999999999999' is invalid for '--k <k>'\n", status: 2),
            BadInputCase(name: "766 --k with --objective loss", args: g + ["--k", "3"],
                         stderr: "ftle: --k applies to --objective floss\n", status: 2),
            BadInputCase(name: "767 --jacobian with --objective loss", args: g + ["--jacobian", "transposed"],
                         stderr: "ftle: --jacobian applies to --objective floss (the gradient through Q and R telescopes only under forward)\n", status: 2),
            BadInputCase(name: "768 --layer with --objective floss", args: g + ["--objective", "floss", "--k", "3", "--layer", "0"],
                         stderr: "ftle: --layer applies to --objective loss (the flossing objective takes every parameter and no label)\n", status: 2),
            BadInputCase(name: "769 --loss with --objective floss", args: g + ["--objective", "floss", "--k", "3", "--loss", "all"],
                         stderr: "ftle: --loss applies to --objective loss (the flossing objective takes every parameter and no label)\n", status: 2),
            BadInputCase(name: "770 --label with --objective floss",
                         args: ["gradient", "--model", CLI.root + "/Tests/Fixtures/pytorch-floss/rnn.safetensors",
                                "--input", CLI.root + "/Tests/Fixtures/pytorch-floss/rnn-input.npy", "--label", "1", "--objective", "floss", "--k", "3"],
                         stderr: "ftle: --label applies to --objective loss (the flossing objective takes every parameter and no label)\n", status: 2),
            BadInputCase(name: "782 bench floss --k past --hidden", args: ["bench", "floss", "--hidden", "64", "--k", "100"],
                         stderr: "ftle: --k 100 exceeds --hidden 64\n", status: 1),
            BadInputCase(name: "771 --jacobian unknown", args: g + ["--objective", "floss", "--k", "3", "--jacobian", "sideways"],
                         stderr: "ftle: The value 'sideways' is invalid for '--jacobian <jacobian>'. Please provide one of 'forward' and 'transposed'.\n", status: 2),
        ]
    }()

    @Test(arguments: badCases)
    func badInput(_ c: BadInputCase) throws { try c.expectExactly() }

    /// `bench floss` reports both costs, their ratio and the working set (no timing is asserted:
    /// speed is measured side by side, not in tests); its objective is the flossing value of its
    /// own random network, positive and finite.
    @Test func benchFlossReportsBothCosts() throws {
        let r = try CLI.run(["bench", "floss", "--hidden", "8", "--steps", "5", "--k", "2", "--batch", "4", "--batches", "2", "--repeat", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["floss_seconds", "train_step_seconds", "floss_over_train_step", "objective"] {
            let v = try #require(json[key] as? Double, "\(key)")
            #expect(v.isFinite && v > 0, "\(key) = \(v)")
        }
        let expectedBytes: Double = 8 * (6 * 8 * 3 + 5 * 6 * 8 + 5 * 4 + 6 * 8 * 2)   // (T+1)·N·(K+1) + 6TN + TK² + 6NK doubles
        #expect((json["floss_bytes"] as? NSNumber)?.doubleValue == expectedBytes)
    }
}
