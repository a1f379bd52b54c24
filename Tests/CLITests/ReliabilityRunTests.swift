import Foundation
import Lyapunov
import MNIST
import RNN
import TestSupport
import Testing

/// Rows 240–259 of docs/bad-inputs.md (issue 17): write errors on standard output, `--out` to
/// devices, FIFOs and links, the run-folder lock, refusing to overwrite a run, history repair
/// on resume and a full disk while appending the history.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct ReliabilityRunTests {
    static let model = CLI.root + "/Samples/models/rowwise-h128.safetensors"
    static let tiny = ["--task", "rowwise", "--hidden", "8", "--train-limit", "64", "--batch", "32", "--test-limit", "20"]

    func sh(_ command: String) throws -> CLI.Result { try CLI.shell(command, timeout: 300) }
    var ftle: String { "'\(CLI.binary!)'" }

    /// Rows 240–243: a failed write to standard output is one line and exit 1, never exit 0.
    @Test func writeErrorsOnStandardOutput() throws {
        for args in ["eval --model '\(Self.model)' --limit 5", "spectrum --model '\(Self.model)' --k 2", "eval --model '\(Self.model)' --limit 5 --format json"] {
            var r = try sh("\(ftle) \(args) > /dev/full")
            #expect(r.stderr == "ftle: standard output: cannot write: No space left on device\n", "\(args)")
            #expect(r.status == 1)
            r = try sh("\(ftle) \(args) >&-")
            #expect(r.stderr == "ftle: standard output: cannot write: Bad file descriptor\n", "\(args)")
            #expect(r.status == 1)
        }
        // EPIPE with SIGPIPE ignored: the reader leaves after 10 bytes of a 100 kB result.
        let r = try sh("trap '' PIPE; \(ftle) spectrum --model '\(Self.model)' | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}")
        #expect(r.stderr == "ftle: standard output: cannot write: Broken pipe\n")
        #expect(r.status == 1)
    }

    /// Row 254: an error line that cannot be written (stderr on a full device, or closed) is
    /// lost, but the exit status still says 1 — no trap (which would be 132/134).
    @Test func unwritableStandardErrorStillExitsOne() throws {
        for redirect in ["2> /dev/full", "2>&-"] {
            let r = try sh("\(ftle) eval --model /nonexistent/model.safetensors \(redirect); echo \"status=$?\"")
            #expect(r.stdout.contains("status=1\n"), "\(redirect): \(r.stdout)")
        }
    }

    /// Rows 244–248: `--out` to a device, a FIFO, links; devices and FIFOs are never replaced.
    @Test func outToNonRegularDestinations() throws {
        let d = temporaryFolder("out-destinations")
        let args = ["spectrum", "--model", Self.model, "--k", "3"]
        let expected = try CLI.run(args).stdout
        #expect(expected.hasPrefix("{") && expected.hasSuffix("}\n"))
        var r = try CLI.run(args + ["--out", "/dev/full"])
        #expect(r.stderr == "ftle: /dev/full: cannot write: No space left on device\n" && r.status == 1)
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        #expect(mkfifo(d + "/fifo", 0o644) == 0)
        r = try CLI.run(args + ["--out", d + "/fifo"])
        #expect(r.stderr == "ftle: \(d)/fifo: cannot write: a FIFO with no reader\n" && r.status == 1)
        #expect(lstat(d + "/fifo", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        // A link to a regular file stays a link; the target gets the result.
        try "old".write(toFile: d + "/target.json", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: d + "/link.json", withDestinationPath: "target.json")
        r = try CLI.run(args + ["--out", d + "/link.json"])
        #expect(r.status == 0 && r.stderr == "")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: d + "/link.json") == "target.json")
        #expect(try String(contentsOfFile: d + "/target.json", encoding: .utf8) == expected)
        // A link to /proc/self/fd/1 writes to standard output itself.
        try FileManager.default.createSymbolicLink(atPath: d + "/stdout", withDestinationPath: "/proc/self/fd/1")
        r = try CLI.run(args + ["--out", d + "/stdout"])
        #expect(r.status == 0 && r.stdout == expected)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: d + "/stdout") == "/proc/self/fd/1")
        // A dangling link: the file it names is written.
        try FileManager.default.createSymbolicLink(atPath: d + "/dangling.json", withDestinationPath: d + "/made.json")
        r = try CLI.run(args + ["--out", d + "/dangling.json"])
        #expect(r.status == 0 && (try? String(contentsOfFile: d + "/made.json", encoding: .utf8)) == expected)
    }

    /// Rows 249–251: a second writer is refused naming the first one's pid; an existing run is
    /// refused without --force or --resume, its files untouched.
    @Test func oneWriterPerRun() throws {
        let d = temporaryFolder("run-lock")
        let run = d + "/run"
        let long = ["--task", "rowwise", "--hidden", "128", "--train-limit", "12000", "--batch", "32", "--epochs", "2", "--test-limit", "50"]
        let r = try sh("""
            \(ftle) train \(long.joined(separator: " ")) --out '\(run)' > '\(d)/first.out' 2>&1 & first=$!
            while ! grep -q "FLOCK .* $first " /proc/locks; do sleep 0.05; done
            \(ftle) train \(Self.tiny.joined(separator: " ")) --epochs 1 --out '\(run)'; second=$?
            echo "$first $second"; wait $first; echo "first=$?"
            """)
        let words = r.stdout.split(whereSeparator: \.isWhitespace)
        let pid = try #require(words.first.map(String.init))
        #expect(r.stderr == "ftle: \(run) is in use by another ftle process (pid \(pid)); wait for it to finish or stop it\n")
        #expect(words.dropFirst().first == "1")
        #expect(r.stdout.hasSuffix("first=0\n"), "\(r.stdout) \((try? String(contentsOfFile: d + "/first.out", encoding: .utf8)) ?? "")")
        // The first run's history is whole: every (epoch, batch, step) once, in order.
        let rows = RunFolder(run).readHistory().rows
        #expect(rows.count == 2 * (375 / 20 + 2))
        #expect(Set(rows.map(\.identity)).count == rows.count)
        // Starting a new run over it is refused; nothing changes.
        let files = try FileManager.default.contentsOfDirectory(atPath: run).sorted()
        let before = files.map { FileManager.default.contents(atPath: run + "/" + $0) }
        let again = try CLI.run(["train"] + Self.tiny + ["--epochs", "1", "--out", run])
        #expect(again.stderr == "ftle: \(run) already holds a training run; continue it with --resume or replace it with --force\n")
        #expect(again.status == 1)
        #expect(files.map { FileManager.default.contents(atPath: run + "/" + $0) } == before)
        let forced = try CLI.run(["train"] + Self.tiny + ["--epochs", "1", "--force", "--out", run])
        #expect(forced.status == 0 && forced.stderr == "")
        #expect(RunFolder(run).readHistory().rows.count == 2)
    }

    /// Row 252: CRLF line ends, an invalid UTF-8 byte, a duplicated last test row and a partial
    /// last row are repaired on resume — every earlier row kept — and the repair is reported.
    @Test func resumeRepairsTheHistory() throws {
        let run = temporaryFolder("history-repair") + "/run"
        var r = try CLI.run(["train"] + Self.tiny + ["--epochs", "1", "--log-every", "1", "--out", run])
        #expect(r.status == 0)
        let path = run + "/history.csv"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        let lines = original.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)   // header, 2 progress rows, 1 test row
        var damaged = Array((lines + [lines[3]]).joined(separator: "\r\n").utf8) + [0x0d, 0x0a]
        damaged += [0x23, 0x20, 0xff, 0x0d, 0x0a] + Array("0,1,".utf8)
        try Data(damaged).write(to: URL(fileURLWithPath: path))
        r = try CLI.run(["train", "--resume", "--epochs", "2", "--out", run])
        #expect(r.status == 0 && r.stderr == "")
        #expect(r.stdout.hasPrefix("repaired \(path): converted 6 CRLF line ends, 1 line with invalid UTF-8 kept as is, removed 1 duplicate row, dropped a partial last row\n"))
        let after = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(Array(after.prefix(original.utf8.count)) == Array(original.utf8))
        #expect(Array(after[original.utf8.count..<(original.utf8.count + 4)]) == [0x23, 0x20, 0xff, 0x0a])
        let rows = TrainingHistory(bytes: after).rows
        #expect(rows.count == 6 && Set(rows.map(\.identity)).count == 6)
    }

    /// Row 253: the disk holding history.csv fills while rows are appended: one plain line, the
    /// checkpoint of that moment saved, no partial row left.
    @Test func diskFullWhileAppendingHistory() throws {
        let d = temporaryFolder("history-full")
        let mountPoint = d + "/tmpfs"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard (try? sh("mount -t tmpfs -o size=8k ftle-history \(mountPoint) 2>/dev/null"))?.status == 0 else { return }
        defer { _ = try? sh("umount \(mountPoint)") }
        let run = d + "/run"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: run + "/history.csv", withDestinationPath: mountPoint + "/history.csv")
        let r = try CLI.run(["train", "--task", "rowwise", "--hidden", "8", "--train-limit", "9600", "--batch", "32", "--epochs", "1",
                             "--test-limit", "20", "--log-every", "1", "--out", run])
        #expect(r.stderr == "ftle: disk full writing \(run)/history.csv\n")
        #expect(r.status == 1)
        let history = try [UInt8](Data(contentsOf: URL(fileURLWithPath: run + "/history.csv")))
        #expect(history.last == 0x0a, "no partial row")
        let rows = TrainingHistory(bytes: history).rows
        #expect(rows.count > 50 && rows.count < 300)
        let checkpoint = try RunFolder(run).readCheckpoint(as: Float.self)
        #expect(checkpoint.optimizer.step == rows.last!.step + 1, "the checkpoint of the failed row's step")
    }
}

/// `spectrum` streams its rows; its text is byte for byte what building the whole result in
/// memory (the trace, then JSONSerialization with sorted keys, non-finite as null) gives.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"))
struct StreamedSpectrumTests {
    @Test(arguments: [(5, 0, false), (7, 3, true), (128, 0, false)])
    func equalsTheInMemoryResult(k: Int, transient: Int, log2: Bool) throws {
        let path = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        let model = try RNNModel<Double>.load(from: path)
        let images = try MNISTDataset.load(directory: CLI.root + "/Samples/mnist", split: .test)
        let seq = model.sequence(ofImage: images.image(0)).map(Double.init)
        let trace = try LyapunovTrace(model: model, sequence: seq, steps: 28, k: k, transient: transient)
        let scale = log2 ? 1 / Foundation.log(2.0) : 1
        let ftle = trace.exponents[transient...].map { $0.map { $0 * scale } }
        let spectrum = ftle.last!
        func sanitize(_ x: Any) -> Any {
            if let d = x as? Double { return d.isFinite ? d : NSNull() }
            if let a = x as? [Any] { return a.map(sanitize) }
            return x
        }
        let obj: [String: Any] = [
            "model": path, "input": "test image 0", "hidden": 128, "steps": 28, "k": k, "transient": transient,
            "layers": [128], "state_size": 128, "cell": "rnn", "nonlinearity": "tanh",
            "log_base": log2 ? "2" : "e", "jacobian": "forward", "log_r": trace.logR.map { $0.map { $0 * scale } }, "ftle": ftle,
            "spectrum": spectrum, "kaplan_yorke": SpectrumStatistics.kaplanYorke(spectrum),
            "entropy": SpectrumStatistics.entropy(spectrum), "participation_ratio_q1": trace.participationRatios,
        ]
        let expected = String(decoding: try JSONSerialization.data(withJSONObject: obj.mapValues(sanitize), options: [.sortedKeys]), as: UTF8.self) + "\n"
        let r = try CLI.run(["spectrum", "--model", path, "--k", "\(k)", "--transient", "\(transient)"] + (log2 ? ["--log2"] : []))
        #expect(r.status == 0)
        #expect(r.stdout == expected)
    }
}
