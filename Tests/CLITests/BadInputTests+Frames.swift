import Foundation
import TestSupport
import Testing

/// Rows 750–759 of docs/bad-inputs.md: `align --frame`, `align --window` and `report
/// --clv-frame` (issue 31), with the exact stderr and exit status.
extension BadInputTests {
    static let frameCases: [Case] = {
        let m = CLI.root + "/Samples/models/rowwise-h128.safetensors"
        func align(_ args: [String]) -> [String] { ["align", "--model", m] + args }
        return [
            Case(name: "750 align --frame unknown", args: align(["--frame", "bogus"]),
                 stderr: "ftle: The value 'bogus' is invalid for '--frame <frame>'. Please provide one of 'q' and 'clv'.\n", status: 2),
            Case(name: "751 align --frame clv --window too long for T", args: align(["--frame", "clv", "--window", "20"]),
                 stderr: "ftle: --window 20 needs T ≥ 2W + 1 = 41 steps; the sequences have T = 28\n", status: 1),
            Case(name: "752 align --frame clv --window one past the limit", args: align(["--frame", "clv", "--window", "14"]),
                 stderr: "ftle: --window 14 needs T ≥ 2W + 1 = 29 steps; the sequences have T = 28\n", status: 1),
            Case(name: "753 align --window negative", args: align(["--frame", "clv", "--window", "-1"]),
                 stderr: "ftle: --window must be at least 0 (got -1)\n", status: 2),
            Case(name: "754 align --window huge", args: align(["--frame", "clv", "--window", "9223372036854775807"]),
                 stderr: "ftle: --window must be at most 1000000 (got 9223372036854775807)\n", status: 2),
            Case(name: "755 align --frame q --window too long for T", args: align(["--window", "14"]),
                 stderr: "ftle: --window 14 needs T ≥ 2W + 1 = 29 steps; the sequences have T = 28\n", status: 1),
            Case(name: "756 align --window not a number", args: align(["--frame", "clv", "--window", "seven"]),
                 stderr: "ftle: The value 'seven' is invalid for '--window <window>'\n", status: 2),
            Case(name: "757 report --clv-frame with --gated", args: ["report", "--out", "/tmp/never-report", "--gated", m, "--clv-frame"],
                 stderr: "ftle: --clv-frame applies to the row-wise alignment studies, not --gated\n", status: 2),
        ]
    }()

    @Test(arguments: frameCases)
    func frameBadInput(_ c: Case) throws {
        try c.expectExactly()
    }
}
