import Foundation
import TestSupport
import Testing

/// Rows 670–699 of docs/bad-inputs.md: `ftle clv`, `spectrum --ensemble` and
/// `spectrum --autonomous` (issue 31), with the exact stderr and exit status.
extension BadInputTests {
    static let spectraCases: [Case] = {
        let m = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        func clv(_ args: [String]) -> [String] { ["clv", "--model", m] + args }
        func spectrum(_ args: [String]) -> [String] { ["spectrum", "--model", m] + args }
        func autonomous(_ args: [String]) -> [String] { ["spectrum", "--autonomous"] + args }
        return [
            Case(name: "670 clv --window too long for T", args: clv(["--window", "20"]),
                 stderr: "ftle: --window 20 needs T ≥ 2W + 1 = 41 steps; the sequence has T = 28\n", status: 1),
            Case(name: "671 clv --window negative", args: clv(["--window", "-1"]),
                 stderr: "ftle: --window must be at least 0 (got -1)\n", status: 2),
            Case(name: "672 clv --window huge", args: clv(["--window", "9223372036854775807"]),
                 stderr: "ftle: --window must be at most 1000000 (got 9223372036854775807)\n", status: 2),
            Case(name: "673 clv --at outside W…T−W", args: clv(["--at", "2"]),
                 stderr: "ftle: --at 2 lies outside the steps W…T−W = 7…21 where the vectors have converged\n", status: 1),
            Case(name: "674 clv --at not a list of steps", args: clv(["--at", "3,,5"]),
                 stderr: "ftle: --at must be a comma-separated list of steps ≥ 0 (got \"3,,5\")\n", status: 2),
            Case(name: "675 clv --at negative", args: clv(["--at", "-4"]),
                 stderr: "ftle: --at must be a comma-separated list of steps ≥ 0 (got \"-4\")\n", status: 2),
            Case(name: "676 clv --k 0", args: clv(["--k", "0"]), stderr: "ftle: --k must be at least 1 (got 0)\n", status: 2),
            Case(name: "677 clv --k past N", args: clv(["--k", "500"]), stderr: "ftle: --k 500 exceeds the state size N = 128\n", status: 1),
            Case(name: "678 clv --out the model", args: clv(["--out", m]),
                 stderr: "ftle: \(m): cannot write: it is the --model file; the result would replace it (write it elsewhere)\n", status: 1),
            Case(name: "680 spectrum --ensemble 1", args: spectrum(["--ensemble", "1"]),
                 stderr: "ftle: --ensemble must be at least 2 (got 1)\n", status: 2),
            Case(name: "681 spectrum --ensemble past the test set", args: spectrum(["--ensemble", "20000"]),
                 stderr: "ftle: --ensemble 20000 exceeds the 10000 test images\n", status: 1),
            Case(name: "682 spectrum --ensemble with --image", args: spectrum(["--ensemble", "3", "--image", "2"]),
                 stderr: "ftle: --ensemble over inputs takes test images 0..<N or --inputs X.npy; --image and --input pick one sequence (use --ensemble-over states)\n", status: 2),
            Case(name: "683 spectrum --ensemble-over states with --inputs", args: spectrum(["--ensemble", "3", "--ensemble-over", "states", "--inputs", "x.npy"]),
                 stderr: "ftle: --inputs goes with --ensemble-over inputs; over states, give the one sequence with --image or --input\n", status: 2),
            Case(name: "684 spectrum --ensemble-over unknown", args: spectrum(["--ensemble", "3", "--ensemble-over", "everything"]),
                 stderr: "ftle: The value 'everything' is invalid for '--ensemble-over <ensemble-over>'. Please provide one of 'inputs' and 'states'.\n", status: 2),
            Case(name: "685 spectrum --resamples without --ensemble", args: spectrum(["--resamples", "500"]),
                 stderr: "ftle: --resamples applies to --ensemble N\n", status: 2),
            Case(name: "686 spectrum --resamples too few", args: spectrum(["--ensemble", "3", "--resamples", "10"]),
                 stderr: "ftle: --resamples must be at least 100 (got 10)\n", status: 2),
            Case(name: "687 spectrum --convergence-svg without --ensemble", args: spectrum(["--convergence-svg", "/tmp/never.svg"]),
                 stderr: "ftle: --convergence-svg applies to --ensemble N\n", status: 2),
            Case(name: "688 spectrum --ensemble-over states with --h0 normal", args: spectrum(["--ensemble", "3", "--ensemble-over", "states", "--h0", "normal"]),
                 stderr: "ftle: --ensemble-over states draws its own initial states from --seed; --h0 and --random-frame do not apply\n", status: 2),
            Case(name: "689 spectrum --convergence-svg the model", args: spectrum(["--ensemble", "2", "--convergence-svg", m]),
                 stderr: "ftle: \(m): cannot write: it is the --model file; the result would replace it (write it elsewhere)\n", status: 1),
            Case(name: "690 spectrum without --model or --autonomous", args: ["spectrum"],
                 stderr: "ftle: Missing expected argument '--model <model>'\n", status: 2),
            Case(name: "691 --autonomous without --gain", args: autonomous(["--hidden", "50"]),
                 stderr: "ftle: --autonomous needs --gain g1,g2,…\n", status: 2),
            Case(name: "692 --autonomous without --hidden", args: autonomous(["--gain", "1"]),
                 stderr: "ftle: --autonomous needs --hidden N\n", status: 2),
            Case(name: "693 --gain 0", args: autonomous(["--gain", "0", "--hidden", "5"]),
                 stderr: "ftle: --gain must be a comma-separated list of numbers in (0, 100] (got \"0\")\n", status: 2),
            Case(name: "694 --gain nan", args: autonomous(["--gain", "nan", "--hidden", "5"]),
                 stderr: "ftle: --gain must be a comma-separated list of numbers in (0, 100] (got \"nan\")\n", status: 2),
            Case(name: "695 --gain without --autonomous", args: spectrum(["--gain", "1"]),
                 stderr: "ftle: --gain applies to --autonomous\n", status: 2),
            Case(name: "696 --autonomous with --model", args: autonomous(["--gain", "1", "--hidden", "5", "--model", m]),
                 stderr: "ftle: --autonomous draws its own networks; --model does not apply\n", status: 2),
            Case(name: "697 --autonomous --hidden 0", args: autonomous(["--gain", "1", "--hidden", "0"]),
                 stderr: "ftle: --hidden must be at least 1 (got 0)\n", status: 2),
            Case(name: "698 --autonomous --k past N", args: autonomous(["--gain", "1", "--hidden", "5", "--k", "6"]),
                 stderr: "ftle: --k 6 exceeds the network size --hidden 5\n", status: 1),
            Case(name: "699 --autonomous with --ensemble", args: autonomous(["--gain", "1", "--hidden", "5", "--ensemble", "3"]),
                 stderr: "ftle: --ensemble and --autonomous exclude each other (give several --gain values instead)\n", status: 2),
            Case(name: "665 report --table1-epochs without --reproduction", args: ["report", "--out", "/tmp/never-report", "--table1-epochs", m],
                 stderr: "ftle: --table1-epochs applies to --reproduction\n", status: 2),
            Case(name: "666 report --table1-epochs with an empty entry", args: ["report", "--reproduction", "--out", "/tmp/never-report", "--table1-epochs", m + ",,"],
                 stderr: "ftle: --table1-epochs must be a comma-separated list of model files (got \"\(m),,\")\n", status: 1),
            Case(name: "667 report --table1-epochs naming a missing file", args: ["report", "--reproduction", "--out", "/tmp/never-report", "--table1-epochs", "/nonexistent/m.safetensors"],
                 stderr: "ftle: /nonexistent/m.safetensors: no such file\n", status: 1),
            Case(name: "669 --autonomous --steps 0", args: autonomous(["--gain", "1", "--hidden", "5", "--steps", "0"]),
                 stderr: "ftle: --steps must be at least 1 (got 0)\n", status: 2),
        ]
    }()

    @Test(arguments: spectraCases)
    func spectraBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
