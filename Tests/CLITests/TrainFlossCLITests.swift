import Foundation
import RNN
import TestSupport
import Testing

/// `ftle train --floss K`: a flossing run records λ_1…λ_K on every progress row (`lambda1…`
/// columns), resumes bit for bit (the flossed sequence is drawn from the seed and the step),
/// works for a gated cell; rows 772–781 of docs/bad-inputs.md.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct TrainFlossCLITests {
    @Test(arguments: ["rnn", "gru"])
    func flossingRunRecordsExponentsAndResumesBitForBit(_ cell: String) throws {
        let d = temporaryFolder("train-floss")
        func write(_ name: String, _ a: NPYArray) throws { try Data(a.encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/" + name)) }
        try write("x.npy", NPYArray(shape: [40, 8, 2], values: (0..<640).map { sin(0.37 * Double($0)) }))
        try write("y.npy", NPYArray(shape: [40], values: (0..<40).map { Double($0 % 2) }))
        let common = ["train", "--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--cell", cell, "--hidden", "5", "--batch", "6",
                      "--lr", "0.01", "--log-every", "2", "--floss", "2", "--floss-every", "2", "--floss-weight", "0.05", "--floss-steps", "6"]
        let straight = try CLI.run(common + ["--epochs", "3", "--out", d + "/straight"])
        #expect(straight.status == 0, "\(straight.stderr)")
        #expect(straight.stdout.contains(" floss K=2 w=0.05 every=2 T=6: "))
        let history = try String(contentsOfFile: d + "/straight/history.csv", encoding: .utf8).split(separator: "\n")
        #expect(history[0] == "epoch,batch,step,loss,accuracy,samples_per_second,test_loss,test_accuracy,lambda1,lambda2")
        let progress = history.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }.filter { !$0[3].isEmpty }
        #expect(progress.count >= 9)
        for row in progress {
            #expect(row.count == 10)
            let lambdas = row[8...].compactMap { Double($0) }
            #expect(lambdas.count == 2 && lambdas.allSatisfy { $0.isFinite && $0 < 1 }, "\(row)")
        }
        let first = try CLI.run(common + ["--epochs", "1", "--out", d + "/split"])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try CLI.run(["train", "--resume", "--epochs", "3", "--out", d + "/split"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let a = try SafeTensorsFile(contentsOf: d + "/straight/model.safetensors")
        let b = try SafeTensorsFile(contentsOf: d + "/split/model.safetensors")
        #expect(a.tensors.keys.sorted() == b.tensors.keys.sorted())
        for (name, t) in a.tensors { #expect(t == b.tensors[name], "\(name) differs") }
        // The flossing updates moved the weights: the same run without them ends elsewhere.
        let plainArgs = Array(common.prefix(while: { $0 != "--floss" }))
        let plain = try CLI.run(plainArgs + ["--epochs", "3", "--out", d + "/plain"])
        #expect(plain.status == 0, "\(plain.stderr)")
        let c = try SafeTensorsFile(contentsOf: d + "/plain/model.safetensors")
        #expect(a.tensors["rnn.weight_hh_l0"] != c.tensors["rnn.weight_hh_l0"])
    }

    static let badCases: [BadInputCase] = {
        // Ten sequences (T = 4, I = 2) and their labels, for row 781.
        let d = temporaryFolder("bad-floss")
        try! Data(NPYArray(shape: [10, 4, 2], values: (0..<80).map { Double($0 % 7) }).encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/x.npy"))
        try! Data(NPYArray(shape: [10], values: (0..<10).map { Double($0 % 2) }).encoded(float32: true)).write(to: URL(fileURLWithPath: d + "/y.npy"))
        let t = ["train", "--out", "/tmp/ftle-never-written", "--epochs", "1"]
        return [
            BadInputCase(name: "772 train --floss 0", args: t + ["--floss", "0"],
                         stderr: "ftle: --floss must be at least 1 (got 0)\n", status: 2),
            BadInputCase(name: "773 train --floss -1", args: t + ["--floss", "-1"],
                         stderr: "ftle: --floss must be at least 1 (got -1)\n", status: 2),
            BadInputCase(name: "774 train --floss-weight 0", args: t + ["--floss", "2", "--floss-weight", "0"],
                         stderr: "ftle: --floss-weight must be positive (got 0.0)\n", status: 2),
            BadInputCase(name: "775 train --floss-weight nan", args: t + ["--floss", "2", "--floss-weight", "nan"],
                         stderr: "ftle: --floss-weight must be positive (got nan)\n", status: 2),
            BadInputCase(name: "776 train --floss-weight inf", args: t + ["--floss", "2", "--floss-weight", "inf"],
                         stderr: "ftle: --floss-weight must be positive (got inf)\n", status: 2),
            BadInputCase(name: "777 train --floss-every 0", args: t + ["--floss", "2", "--floss-every", "0"],
                         stderr: "ftle: --floss-every must be at least 1 (got 0)\n", status: 2),
            BadInputCase(name: "778 train --floss-steps 0", args: t + ["--floss", "2", "--floss-steps", "0"],
                         stderr: "ftle: --floss-steps must be at least 1 (got 0)\n", status: 2),
            BadInputCase(name: "779 train --floss-weight without --floss", args: t + ["--floss-weight", "0.1"],
                         stderr: "ftle: --floss-weight applies to --floss K only\n", status: 2),
            BadInputCase(name: "780 train --resume --floss", args: ["train", "--out", "/tmp/ftle-never-written", "--resume", "--floss", "2"],
                         stderr: "ftle: --resume continues with the run's stored flossing settings; drop --floss and its options\n", status: 2),
            BadInputCase(name: "781 train --floss past N", args: ["train", "--inputs", d + "/x.npy", "--labels", d + "/y.npy",
                                                                  "--hidden", "3", "--epochs", "1", "--out", d + "/run", "--floss", "4"],
                         stderr: "ftle: --floss must be at most the state size N = 3 (got 4)\n", status: 1),
        ]
    }()

    @Test(arguments: badCases)
    func badInput(_ c: BadInputCase) throws {
        try c.expectExactly()
        #expect(!FileManager.default.fileExists(atPath: "/tmp/ftle-never-written/checkpoint.safetensors"))
    }
}
