import ArgumentParser
import Linalg

/// `--threads N` of the commands that run independent samples or images (align, perturb,
/// report, eval): N workers, each with single-threaded BLAS, results bit-identical for every N.
struct ThreadOptions: ParsableArguments {
    /// The largest accepted `--threads` (more workers than this only add memory).
    static let maximum = 64

    static let help = ArgumentHelp(
        "Worker threads for independent samples (default: the number of cores). Each runs BLAS on one thread — OpenBLAS's thread count is process-wide, and it changes results in the last bits — so the output is identical for every N.",
        valueName: "n")

    @Option(parsing: .unconditional, help: help) var threads: Int?

    func validate() throws {
        if let n = threads, !(1...Self.maximum).contains(n) {
            throw ValidationError("--threads must be in 1...\(Self.maximum) (got \(n))")
        }
    }

    /// The worker count, after setting OpenBLAS to one thread for the rest of the process
    /// (call once, before the command's first BLAS call).
    func workers() -> Int {
        useSingleThreadedBLAS()
        return threads ?? availableCores
    }
}
