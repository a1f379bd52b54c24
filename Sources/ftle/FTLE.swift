import ArgumentParser
import Foundation

/// The `ftle` command: a terminal explorer for the finite-time Lyapunov structure of
/// recurrent networks, and the CLI behind every number it shows.
@main
struct FTLE: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "ftle",
        abstract: "Explore the finite-time Lyapunov structure of tanh RNNs trained on sequential MNIST.",
        discussion: """
        Conventions: D_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²)·V; tangent frame Q_t R_t = D_t Q_{t−1} \
        with diag(R_t) ≥ 0; finite-time exponents λ_k(t) = (1/t) Σ_{s≤t} ln r_s^k in natural log \
        (bits with --log2).
        """,
        version: version,
        subcommands: [Explore.self, Train.self, Eval.self, Predict.self, Spectrum.self, Clv.self, Gradient.self, Align.self, Perturb.self, Report.self, Bench.self, SweepCommand.self, DataCommand.self],
        defaultSubcommand: Explore.self
    )

    /// Runs the command line. Help and version go to stdout with exit 0. Every usage error
    /// (unknown option, missing or bad value, a failed `validate()`) is one line
    /// `ftle: <problem>` on stderr with exit code 2; errors found while running are reported by
    /// `reportingErrors` (exit 1); signals end with 128 + signal.
    static func main() {
        StandardOutput.guardDescriptors()
        KernelReexecution.reexecuteIfOpenBLASFellBack()
        let command: ParsableCommand
        do {
            command = try parseAsRoot(HelpArguments.normalized(Array(CommandLine.arguments.dropFirst()), root: FTLE.self))
        } catch {
            exitReporting(error)
        }
        do {
            var runnable = command
            try runnable.run()
        } catch {
            exitReporting(error)
        }
        // Results printed with print() sit in stdio's buffer: a write that failed there (full
        // disk, closed stdout, EPIPE) must not end in exit 0.
        do { try StandardOutput.flush() } catch {
            printError(String(describing: error))
            Foundation.exit(1)
        }
        Foundation.exit(0)
    }

    private static func exitReporting(_ error: Error) -> Never {
        let code = exitCode(for: error)
        if code == .success {
            // Help and --version are results too: a write that failed (full disk, closed
            // stdout) is exit 1 with one line, never exit 0 with nothing written.
            do { try writeStandardOutput(fullMessage(for: error) + "\n") } catch {
                printError(String(describing: error))
                Foundation.exit(1)
            }
            Foundation.exit(0)
        }
        if error is ExitCode { Foundation.exit(code.rawValue) }
        let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
        let cleaned = text.hasPrefix("Error: ") ? String(text.dropFirst(7)) : text
        printError(cleaned)
        Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
    }
}
