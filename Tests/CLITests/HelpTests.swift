import Foundation
import Testing
import TestSupport

/// The help text of the root command and of `train`, `spectrum`, `perturb`, `sweep`, `sweep plan`, `data`, `align` and `report`, compared line by
/// line with Tests/CLITests/Golden/help-*.txt (as swift-argument-parser's examples test their
/// help). Help is part of the interface: an option that appears, disappears or changes its
/// description shows up here. After an intended change, regenerate the files with
/// `FTLE_UPDATE_GOLDEN=1 swift test -c release -Xswiftc -enable-testing --filter HelpTests`.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"))
struct HelpTests {
    static let golden = CLI.root + "/Tests/CLITests/Golden"

    @Test(arguments: [[], ["train"], ["spectrum"], ["perturb"], ["sweep"], ["sweep", "plan"], ["data"], ["align"], ["report"]])
    func helpMatchesGolden(_ command: [String]) throws {
        // A fixed width, so the wrapping does not depend on the terminal the tests run in.
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        let r = try CLI.run(command + ["--help"], environment: env)
        #expect(r.status == 0)
        let name = "help-" + (command.isEmpty ? "ftle" : command.joined(separator: "-")) + ".txt"
        let path = Self.golden + "/" + name
        if ProcessInfo.processInfo.environment["FTLE_UPDATE_GOLDEN"] == "1" {
            try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        let got = r.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, (g, w)) in zip(got, want).enumerated() where g != w {
            Issue.record("\(name) line \(i + 1): got \"\(g)\", expected \"\(w)\"")
            break
        }
        #expect(got.count == want.count, "\(name): \(got.count) lines, expected \(want.count)")
    }

    /// An option a command does not take is a usage error (exit 2), e.g. `gradient --transient`.
    @Test func optionsACommandDoesNotUseAreRefused() throws {
        let m = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        for args in [["gradient", "--model", m, "--transient", "3"], ["eval", "--model", m, "--format", "csv"],
                     ["spectrum", "--model", m, "--format", "markdown"], ["predict", "--model", m, "--seed", "1"]] {
            let r = try CLI.run(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.hasPrefix("ftle: ") && r.stderr.filter { $0 == "\n" }.count == 1, "\(args): \(r.stderr)")
        }
    }
}
