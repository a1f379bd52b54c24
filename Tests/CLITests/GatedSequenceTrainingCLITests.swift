import Foundation
import RNN
import TestSupport
import Testing

/// `ftle train --cell gru|lstm --inputs X --labels Y` (issue 27): a gated classifier of any
/// sequences, trained by the same trainer as every run, on a set `ftle data` writes. The run's
/// own test evaluation and `ftle eval` (the Float64 network, an independent path) agree on the
/// test set (Float64 run: accuracy exactly, loss to the history's six digits); the model records task `none`; a
/// resume continues the run.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct GatedSequenceTrainingCLITests {
    @Test(arguments: ["gru", "lstm"])
    func gatedRunOnSequencesEvaluatesAndResumes(cell: String) throws {
        let dir = temporaryFolder("gated-sequences-\(cell)")
        for (name, count, seed) in [("train", "120", "0"), ("test", "40", "1")] {
            let r = try CLI.run(["data", "delayed-xor", "--steps", "6", "--count", count, "--seed", seed, "--out", "\(dir)/\(name)"])
            try #require(r.status == 0, "\(r.stderr)")
        }
        let out = dir + "/run"
        let args = ["train", "--cell", cell, "--inputs", "\(dir)/train/inputs.npy", "--labels", "\(dir)/train/labels.npy",
                    "--test-inputs", "\(dir)/test/inputs.npy", "--test-labels", "\(dir)/test/labels.npy",
                    "--hidden", "6", "--batch", "20", "--precision", "f64", "--out", out]
        let first = try CLI.run(args + ["--epochs", "2"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("120 sequences (test 40), T=6 I=1 C=2 H=6 \(cell)"), "\(first.stdout)")
        let file = try SafeTensorsFile(contentsOf: out + "/model.safetensors")
        #expect(file.metadata["task"] == "none" && file.metadata["cell"] == cell)

        // The last test row of the history against `eval` on the same files.
        func lastTestRow() throws -> [String] {
            let history = try String(contentsOfFile: out + "/history.csv", encoding: .utf8)
            return try #require(history.split(separator: "\n").last { !$0.hasSuffix(",,") }).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let row = try lastTestRow()
        #expect(row[0] == "1", "\(row)")   // epochs count from 0 in the history
        let eval = try CLI.run(["eval", "--model", out + "/model.safetensors", "--inputs", "\(dir)/test/inputs.npy",
                                "--labels", "\(dir)/test/labels.npy", "--format", "json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let j = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        let accuracy = (j["accuracy"] as? NSNumber)?.doubleValue ?? .nan, loss = (j["loss"] as? NSNumber)?.doubleValue ?? .nan
        #expect(j["sequences"] as? Int == 40)
        // history.csv holds six significant digits.
        #expect(abs(accuracy - (Double(row[7]) ?? .nan)) < 1e-12 && abs(loss - (Double(row[6]) ?? .nan)) < 1e-6 * max(loss, 1e-3),
                "eval \(loss), \(accuracy) vs history \(row[6]), \(row[7])")

        let resumed = try CLI.run(["train", "--resume", "--epochs", "3", "--out", out])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try lastTestRow()[0] == "2")
    }
}
