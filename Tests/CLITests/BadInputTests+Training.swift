import Foundation
import RNN
import TestSupport
import Testing

/// Rows 540–554 of docs/bad-inputs.md (540–559 reserved): `ftle train --layers` and the resume of sequence-set
/// runs (`--inputs`), with the exact stderr and exit status. Usage errors are found before
/// anything is read; crafted checkpoints of tiny sequence-set runs check what `--resume` refuses.
extension BadInputTests {
    struct TrainingFixtures: Sendable {
        let dir: String
        init() {
            dir = temporaryFolder("bad-training")
            func write(_ name: String, _ a: NPYArray) { try! Data(a.encoded(float32: true)).write(to: URL(fileURLWithPath: dir + "/" + name)) }
            // 40 sequences of T = 4, I = 2, labels 0, 1, 2, …; and a shorter set of 30.
            write("x.npy", NPYArray(shape: [40, 4, 2], values: (0..<320).map { sin(Double($0)) }))
            write("y.npy", NPYArray(shape: [40], values: (0..<40).map { Double($0 % 3) }))
            write("x-short.npy", NPYArray(shape: [30, 4, 2], values: (0..<240).map { sin(Double($0)) }))
            write("y-short.npy", NPYArray(shape: [30], values: (0..<30).map { Double($0 % 3) }))
            let tiny = ["--inputs", dir + "/x.npy", "--labels", dir + "/y.npy", "--hidden", "4", "--epochs", "1", "--batch", "16"]
            for (name, layers) in [("seq-run", "1"), ("seq-stack", "2")] {
                let r = try! CLI.run(["train"] + tiny + ["--layers", layers, "--out", dir + "/" + name])
                precondition(r.status == 0, "tiny sequence-set run failed: \(r)")
            }
        }

        /// A copy of run `source` whose checkpoint's training_config has `edit` applied.
        func crafted(_ name: String, from source: String, _ edit: (inout [String: Any]) -> Void) -> String {
            copyOfRun(in: dir, name, from: source, edit)
        }
    }

    static let trainingFixtures = TrainingFixtures()

    static let trainingCases: [Case] = {
        let fx = trainingFixtures, d = fx.dir
        func data(_ edit: @escaping (inout [String: Any]) -> Void) -> (inout [String: Any]) -> Void {
            { c in var s = c["sequenceData"] as! [String: Any]; edit(&s); c["sequenceData"] = s }
        }
        let shorter = fx.crafted("seq-shorter", from: "seq-run", data { $0["inputs"] = d + "/x-short.npy"; $0["labels"] = d + "/y-short.npy" })
        let gone = fx.crafted("seq-gone", from: "seq-run", data { $0["inputs"] = d + "/gone.npy" })
        let saysThree = fx.crafted("stack-says-3", from: "seq-stack") { $0["layers"] = 3 }
        let saysZero = fx.crafted("stack-says-0", from: "seq-stack") { $0["layers"] = 0 }
        // best.safetensors as a folder (a new run) and as a FIFO (a resume).
        try! FileManager.default.createDirectory(atPath: d + "/best-folder/best.safetensors", withIntermediateDirectories: true)
        let bestFIFO = fx.crafted("best-fifo", from: "seq-run") { _ in }
        try? FileManager.default.removeItem(atPath: bestFIFO + "/best.safetensors")
        precondition(mkfifo(bestFIFO + "/best.safetensors", 0o644) == 0)
        func train(_ args: [String], _ out: String = "never") -> [String] { ["train"] + args + ["--out", d + "/" + out] }
        return [
            Case(name: "540 --layers 0", args: train(["--layers", "0"]),
                 stderr: "ftle: --layers must be in 1...64 (got 0)\n", status: 2),
            Case(name: "541 --layers 1000000", args: train(["--layers", "1000000"]),
                 stderr: "ftle: --layers must be in 1...64 (got 1000000)\n", status: 2),
            Case(name: "542 --layers not an integer", args: train(["--layers", "1.5"]),
                 stderr: "ftle: The value '1.5' is invalid for '--layers <layers>'\n", status: 2),
            Case(name: "543 --layers 65 --cell lstm", args: train(["--layers", "65", "--cell", "lstm"]),
                 stderr: "ftle: --layers must be in 1...64 (got 65)\n", status: 2),
            Case(name: "544 --layers 2 --threads 2", args: train(["--layers", "2", "--threads", "2"]),
                 stderr: "ftle: --layers 2 trains each batch in one shard; drop --threads 2 (BLAS uses its own threads)\n", status: 2),
            Case(name: "545 --layers with --resume", args: train(["--layers", "2", "--resume"], "seq-stack"),
                 stderr: "ftle: --resume continues with the run's stored settings; drop --layers\n", status: 2),
            Case(name: "546 --layers with --init-from", args: train(["--layers", "2", "--init-from", d + "/seq-run/model.safetensors"]),
                 stderr: "ftle: --init-from takes the layers of its model; drop --layers\n", status: 2),
            Case(name: "547 --inputs with --resume", args: train(["--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--resume"], "seq-run"),
                 stderr: "ftle: --resume reads the sequences its checkpoint records; drop --inputs and --labels\n", status: 2),
            Case(name: "548 resume of a sequence-set run whose files now hold fewer sequences", args: ["train", "--resume", "--out", shorter],
                 stderr: "ftle: \(d)/x-short.npy: gives 27 training sequences of 4 steps, but the run in \(shorter)/checkpoint.safetensors trained on 36 of 4 steps\n",
                 status: 1),
            Case(name: "549 resume of a sequence-set run whose inputs are gone", args: ["train", "--resume", "--out", gone],
                 stderr: "ftle: \(d)/gone.npy: no such file\n", status: 1),
            Case(name: "550 checkpoint config says layers 3, the weights have 2", args: ["train", "--resume", "--out", saysThree],
                 stderr: "ftle: \(saysThree)/checkpoint.safetensors: training_config says layers 3 but the weights have 2\n", status: 1),
            Case(name: "551 checkpoint config with layers 0", args: ["train", "--resume", "--out", saysZero],
                 stderr: "ftle: \(saysZero)/checkpoint.safetensors: training_config: the number of layers must be in 1...64 (got 0)\n", status: 1),
            Case(name: "552 --threads 2 on the resume of a stacked run", args: train(["--resume", "--threads", "2"], "seq-stack"),
                 stderr: "ftle: --threads must be 1 for a run of 2 layers (a stacked run trains each batch in one shard; got 2)\n", status: 1),
            Case(name: "553 a new run whose folder has a folder named best.safetensors",
                 args: train(["--inputs", d + "/x.npy", "--labels", d + "/y.npy", "--hidden", "4", "--epochs", "1"], "best-folder"),
                 stderr: "ftle: \(d)/best-folder/best.safetensors: cannot write: is a directory\n", status: 1),
            Case(name: "554 resume of a run whose best.safetensors is a FIFO", args: ["train", "--resume", "--out", bestFIFO],
                 stderr: "ftle: \(bestFIFO)/best.safetensors: cannot write: is a device or FIFO, not a regular file\n", status: 1),
        ]
    }()

    @Test(arguments: trainingCases)
    func trainingBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}

/// A copy `dir/name` of the run `dir/source` whose checkpoint's training_config (as JSON) has
/// `edit` applied: how the bad-input tables craft checkpoints that `--resume` must refuse.
func copyOfRun(in dir: String, _ name: String, from source: String, _ edit: (inout [String: Any]) -> Void) -> String {
    let d = dir + "/" + name
    try? FileManager.default.removeItem(atPath: d)
    try! FileManager.default.copyItem(atPath: dir + "/" + source, toPath: d)
    var f = try! SafeTensorsFile(contentsOf: d + "/checkpoint.safetensors")
    var c = try! JSONSerialization.jsonObject(with: Data(f.metadata["training_config"]!.utf8)) as! [String: Any]
    edit(&c)
    f.metadata["training_config"] = String(decoding: try! JSONSerialization.data(withJSONObject: c), as: UTF8.self)
    try! f.write(to: d + "/checkpoint.safetensors")
    return d
}
