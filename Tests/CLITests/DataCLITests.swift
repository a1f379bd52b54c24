import Foundation
import RNN
import TestSupport
import Testing

/// `ftle data`: the summary line, byte-identical reruns, the --force rule, the help's
/// definitions, and a set that `ftle train --inputs --labels` trains on.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct DataCLITests {
    func bytes(_ path: String) throws -> [UInt8] { try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) }

    /// delayed-xor written, then trained on for one epoch by a tiny network: exit 0, and train
    /// reads the shapes the summary line named.
    @Test func trainReadsADelayedXORSet() throws {
        let d = temporaryFolder("data-train")
        let data = try CLI.run(["data", "delayed-xor", "--steps", "12", "--count", "200", "--delay", "2", "--out", d + "/xor"])
        #expect(data.status == 0 && data.stderr == "", "\(data.stderr)")
        #expect(data.stdout == "delayed-xor: 200 sequences, T=12 I=1 C=2 delay=2 seed=0: \(d)/xor/inputs.npy ('<f4', 200×12×1), "
                + "\(d)/xor/labels.npy ('<i8', 200), \(d)/xor/task.json\n")
        let train = try CLI.run(["train", "--inputs", d + "/xor/inputs.npy", "--labels", d + "/xor/labels.npy", "--hidden", "8",
                                 "--batch", "20", "--epochs", "1", "--out", d + "/run"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stdout.contains("180 sequences (test 20), T=12 I=1 C=2 H=8 tanh"), "\(train.stdout)")
        #expect(FileManager.default.fileExists(atPath: d + "/run/model.safetensors"))
    }

    /// The same command twice (with --force) gives byte-identical files, task.json included;
    /// another seed other inputs and labels. task.json records the command that made it.
    @Test func sameSeedSameBytes() throws {
        let d = temporaryFolder("data-seed") + "/copy"
        let args = ["data", "copy", "--steps", "9", "--count", "500", "--symbols", "4", "--length", "2", "--seed", "42", "--out", d]
        #expect(try CLI.run(args).status == 0)
        let first = try ["inputs.npy", "labels.npy", "task.json"].map { try bytes(d + "/" + $0) }
        #expect(try CLI.run(args + ["--force"]).status == 0)
        #expect(try ["inputs.npy", "labels.npy", "task.json"].map { try bytes(d + "/" + $0) } == first)
        #expect(try CLI.run(Array(args.dropLast(4)) + ["--seed", "43", "--out", d, "--force"]).status == 0)
        #expect(try bytes(d + "/inputs.npy") != first[0] && bytes(d + "/labels.npy") != first[1])
        let json = try #require(JSONSerialization.jsonObject(with: Data(first[2])) as? [String: Any])
        #expect(json["command"] as? String == "ftle data copy --steps 9 --count 500 --seed 42 --length 2 --symbols 4 --out \(d)")
        #expect(json["name"] as? String == "copy" && json["input_size"] as? Int == 5 && json["classes"] as? Int == 4)
    }

    /// A folder that holds a set is refused without --force (the files untouched), replaced with it.
    @Test func existingSetNeedsForce() throws {
        let d = temporaryFolder("data-force") + "/set"
        #expect(try CLI.run(["data", "adding", "--steps", "6", "--count", "20", "--out", d]).status == 0)
        let before = try bytes(d + "/labels.npy")
        let again = try CLI.run(["data", "adding", "--steps", "6", "--count", "30", "--out", d])
        #expect(again.status == 1)
        #expect(again.stderr == "ftle: \(d)/inputs.npy: cannot write: it exists already (replace the set with --force)\n")
        #expect(try bytes(d + "/labels.npy") == before)
        let forced = try CLI.run(["data", "adding", "--steps", "6", "--count", "30", "--out", d, "--force"])
        #expect(forced.status == 0)
        #expect(try NPYArray(contentsOf: d + "/labels.npy").shape == [30])
    }

    /// SIGTERM in the middle of a large set (10^9 values, 4 GB): exit 143, and the folder holds
    /// nothing — no half inputs.npy, no temporary file.
    @Test func stoppedRunLeavesNoFile() throws {
        let d = temporaryFolder("data-stop") + "/big"
        let r = try CLI.shell("'\(CLI.binary!)' data delayed-xor --steps 1000 --count 1000000 --out '\(d)' & p=$!; "
                              + "while [ ! -d '\(d)' ]; do sleep 0.05; done; sleep 0.5; kill -TERM $p; wait $p")
        #expect(r.status == 128 + SIGTERM)
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == [])
    }

    /// `ftle help data` and `ftle data --help` are the same text and state each task's definition.
    @Test func helpGivesEachDefinition() throws {
        let help = try CLI.run(["help", "data"]), flag = try CLI.run(["data", "--help"])
        #expect(help.status == 0 && flag.status == 0 && help.stdout == flag.stdout)
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for name in SyntheticTask.names {
            let definition = SyntheticTask.definition(of: name).split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(text.contains(definition), "\(name)'s definition is missing from the help")
        }
    }
}
