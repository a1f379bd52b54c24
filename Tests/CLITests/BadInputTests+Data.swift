import Foundation
import TestSupport
import Testing

/// Rows 720–741 of docs/bad-inputs.md: `ftle data` (issue 32), with the exact stderr and exit
/// status. None of them writes a file.
extension BadInputTests {
    static let dataCases: [Case] = {
        let d = fixtures.dir
        // A folder that already holds a set's inputs.npy (row 736).
        let held = temporaryFolder("bad-data") + "/held"
        try! FileManager.default.createDirectory(atPath: held, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: held + "/inputs.npy", contents: Data("old".utf8))
        func data(_ task: String, _ args: [String], out: String = "/tmp/ftle-never-written") -> [String] {
            ["data", task] + args + ["--out", out]
        }
        let limit = "is more than the limit of 2^31 = 2147483648"
        return [
            Case(name: "720 data --steps 0", args: data("delayed-xor", ["--steps", "0", "--count", "10"]),
                 stderr: "ftle: --steps must be at least 2 (got 0)\n", status: 2),
            Case(name: "721 data --steps 1", args: data("copy", ["--steps", "1", "--count", "10"]),
                 stderr: "ftle: --steps must be at least 2 (got 1)\n", status: 2),
            Case(name: "722 data --steps -3", args: data("adding", ["--steps", "-3", "--count", "10"]),
                 stderr: "ftle: --steps must be at least 2 (got -3)\n", status: 2),
            Case(name: "723 data --steps huge (N·T overflows)", args: data("delayed-xor", ["--steps", "9223372036854775807", "--count", "2"]),
                 stderr: "ftle: N × T × I = 2 × 9223372036854775807 × 1 values (beyond 2^63) \(limit)\n", status: 2),
            Case(name: "724 data more than 2^31 values", args: data("copy", ["--steps", "1000000", "--count", "300"]),
                 stderr: "ftle: N × T × I = 300 × 1000000 × 9 = 2700000000 values \(limit)\n", status: 2),
            Case(name: "725 data --count 0", args: data("adding", ["--steps", "10", "--count", "0"]),
                 stderr: "ftle: --count must be at least 1 (got 0)\n", status: 2),
            Case(name: "726 data --count -1", args: data("adding", ["--steps", "10", "--count", "-1"]),
                 stderr: "ftle: --count must be at least 1 (got -1)\n", status: 2),
            Case(name: "727 data unknown task", args: data("parity", ["--steps", "10", "--count", "10"]),
                 stderr: "ftle: The value 'parity' is invalid for '<task>'. Please provide one of 'copy', 'delayed-xor' or 'adding'.\n", status: 2),
            Case(name: "728 data --delay past T − 2", args: data("delayed-xor", ["--steps", "10", "--count", "10", "--delay", "9"]),
                 stderr: "ftle: --delay must be in 0...8 for --steps 10 (got 9)\n", status: 2),
            Case(name: "729 data --delay -1", args: data("delayed-xor", ["--steps", "10", "--count", "10", "--delay", "-1"]),
                 stderr: "ftle: --delay must be in 0...8 for --steps 10 (got -1)\n", status: 2),
            Case(name: "730 data --delay on copy", args: data("copy", ["--steps", "10", "--count", "10", "--delay", "3"]),
                 stderr: "ftle: --delay applies to delayed-xor, not copy\n", status: 2),
            Case(name: "731 data --symbols 1", args: data("copy", ["--steps", "10", "--count", "10", "--symbols", "1"]),
                 stderr: "ftle: --symbols must be in 2...256 (got 1)\n", status: 2),
            Case(name: "732 data --symbols huge (I = K + 1 overflows)", args: data("copy", ["--steps", "10", "--count", "10", "--symbols", "9223372036854775807"]),
                 stderr: "ftle: --symbols must be in 2...256 (got 9223372036854775807)\n", status: 2),
            Case(name: "733 data --length T", args: data("copy", ["--steps", "10", "--count", "10", "--length", "10"]),
                 stderr: "ftle: --length must be in 1...9 for --steps 10 (got 10)\n", status: 2),
            Case(name: "734 data --length on adding", args: data("adding", ["--steps", "10", "--count", "10", "--length", "2"]),
                 stderr: "ftle: --length applies to copy, not adding\n", status: 2),
            Case(name: "735 data --out an existing file", args: data("adding", ["--steps", "10", "--count", "10"], out: d + "/empty.safetensors"),
                 stderr: "ftle: \(d)/empty.safetensors: cannot write: \(d)/empty.safetensors is a file, not a folder\n", status: 1),
            Case(name: "736 data --out unwritable", args: data("adding", ["--steps", "10", "--count", "10"], out: "/proc/ftle-data"),
                 stderr: "ftle: /proc/ftle-data: cannot write: cannot create folder /proc/ftle-data: No such file or directory\n", status: 1),
            Case(name: "737 data --out holding a set, no --force", args: data("adding", ["--steps", "10", "--count", "10"], out: held),
                 stderr: "ftle: \(held)/inputs.npy: cannot write: it exists already (replace the set with --force)\n", status: 1),
            Case(name: "738 data --out empty", args: data("adding", ["--steps", "10", "--count", "10"], out: ""),
                 stderr: "ftle: --out must name a folder (got an empty path)\n", status: 2),
            Case(name: "739 data without --steps", args: data("adding", ["--count", "10"]),
                 stderr: "ftle: Missing expected argument '--steps <steps>'\n", status: 2),
            Case(name: "740 data --seed -1", args: data("adding", ["--steps", "10", "--count", "10", "--seed", "-1"]),
                 stderr: "ftle: The value '-1' is invalid for '--seed <seed>'\n", status: 2),
            Case(name: "741 data without a task", args: ["data", "--steps", "10", "--count", "10", "--out", "/tmp/ftle-never-written"],
                 stderr: "ftle: Missing expected argument '<task>'\n", status: 2),
        ]
    }()

    @Test(arguments: dataCases)
    func dataBadInput(_ c: Case) throws {
        try c.expectExactly()
        #expect(!FileManager.default.fileExists(atPath: "/tmp/ftle-never-written"))
    }
}
