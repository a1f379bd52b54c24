import Foundation
import TestSupport
import Testing

/// Issue 29, items 5 and 7 (rows 660–662 of docs/bad-inputs.md): the bundled models, data and
/// themes are found beside an installed binary (`<prefix>/bin/ftle` with `<prefix>/share/ftle`),
/// run by a bare name on PATH from another folder; a copy with nothing beside it names `--data`
/// when the data is missing; `--follow` before the run's first weights never opens another
/// model. Every case fails before the terminal is touched (stdin is /dev/null), after the
/// explorer has resolved its model, data and theme.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"), .serialized)
struct ExploreBundleTests {
    static var terminalEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = "xterm-256color"
        return env
    }

    static let noTerminal = "ftle: explore needs a terminal: standard input and output must be a tty (in scripts use spectrum, align or perturb)\n"

    /// `ftle explore --theme light` run as `ftle` on PATH from an empty folder: the default
    /// model, the MNIST test split and the light theme all come from `<prefix>/share/ftle`.
    @Test func bundledFilesAreFoundBesideAnInstalledBinary() throws {
        let dir = temporaryFolder("installed")
        let prefix = dir + "/prefix"
        let script = """
            set -e; mkdir -p \(prefix)/bin \(prefix)/share/ftle \(dir)/elsewhere
            cp \(CLI.binary!) \(prefix)/bin/ftle
            ln -s \(CLI.root)/Samples \(prefix)/share/ftle/Samples
            ln -s \(CLI.root)/Themes \(prefix)/share/ftle/Themes
            cd \(dir)/elsewhere
            env -u FTLE_HOME -u FTLE_THEMES TERM=xterm-256color PATH=\(prefix)/bin:/usr/bin:/bin ftle explore --theme light </dev/null
            """
        let r = try CLI.shell(script)
        #expect(r.stderr == Self.noTerminal, "\(r)")
        #expect(r.status == 1)
    }

    /// Row 660: `--model /abs/path` where no data is bundled: the error names `--data`.
    @Test func missingDataNamesTheDataOption() throws {
        let dir = temporaryFolder("lone-binary")
        let model = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        let script = """
            set -e; mkdir -p \(dir)/bin; cp \(CLI.binary!) \(dir)/bin/ftle; cd \(dir)
            env -u FTLE_HOME TERM=xterm-256color \(dir)/bin/ftle explore --model \(model) </dev/null
            """
        let r = try CLI.shell(script)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("ftle: ./Samples/mnist"), "\(r)")
        #expect(r.stderr.hasSuffix(" (no bundled Samples/mnist here or beside the binary: give the MNIST folder with --data DIR)\n"), "\(r)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        // With --data given, no hint.
        let given = try CLI.run(["explore", "--model", model, "--data", dir + "/no-such"], environment: Self.terminalEnvironment, timeout: 30)
        #expect(given.status == 1 && !given.stderr.contains("--data DIR"), "\(given)")
    }

    /// Rows 661–662: `--follow` a folder without weights and without a terminal fails as any
    /// explorer without a terminal does — before any notice, and without opening the bundled
    /// model (which needed the run's weights to be absent to be picked before).
    @Test func followWithoutWeightsOrTerminal() throws {
        let run = temporaryFolder("follow-empty")
        let r = try CLI.run(["explore", "--follow", run], environment: Self.terminalEnvironment, timeout: 30)
        #expect(r.stderr == Self.noTerminal, "\(r)")
        #expect(r.status == 1)
        let missing = try CLI.run(["explore", "--follow", run + "/none"], environment: Self.terminalEnvironment, timeout: 30)
        #expect(missing.stderr == "ftle: --follow \(run)/none: no such folder\n" && missing.status == 1, "\(missing)")
    }
}
