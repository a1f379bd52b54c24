import Foundation
import TestSupport
import Testing

/// `ftle clv`, `spectrum --ensemble` and `spectrum --autonomous` end to end, each checked
/// against an independent reading of its own output or of another command's.
@Suite(.enabled(if: CLI.available, "the ftle binary is not built"))
struct ClvEnsembleCLITests {
    static let model = CLI.root + "/Samples/models/rowwise-h128.safetensors"

    static func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(args)
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    /// JSON keys as the issue names them; every vector a unit vector of N entries; the first
    /// CLV's growth rate is the first FTLE over the window (C's first column is e_1, so
    /// v_1 = q_1 and its growth is ln r_t^1), to rounding; the CSV carries the same vectors.
    @Test func clvJSONAndCSV() throws {
        let args = ["clv", "--model", Self.model, "--image", "3", "--k", "4", "--at", "10,14", "--window", "7"]
        let d = try Self.json(args)
        #expect(d["k"] as? Int == 4 && d["steps"] as? Int == 28 && d["window"] as? Int == 7)
        let clv = d["clv"] as! [String: [[Double]]]
        #expect(Set(clv.keys) == ["10", "14"])
        for (_, vectors) in clv {
            #expect(vectors.count == 4)
            for v in vectors { #expect(v.count == 128 && abs(v.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12) }
        }
        let growth = d["growth_rates"] as! [Double], ftle = d["ftle_window"] as! [Double]
        #expect(growth.count == 4 && abs(growth[0] - ftle[0]) < 1e-12)
        let angles = d["min_angle"] as! [Double]
        #expect(angles.count == 28 - 14 + 1 && angles.allSatisfy { $0 > 0 && $0 <= .pi / 2 })
        let csv = try CLI.run(args + ["--format", "csv"])
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "quantity,t,k,i,value")
        let first = lines.first { $0.hasPrefix("clv,10,1,1,") }.map { Double($0.split(separator: ",").last!)! }
        // The text is the same shortest round-trip number; Foundation's JSON reader on Linux
        // can be one ulp off when it parses it back, hence the tolerance.
        #expect(abs(first! - clv["10"]![0][0]) <= 2 * first!.ulp)
    }

    /// The ensemble's members are the plain spectra of test images 0…4 (the same numbers as
    /// `spectrum --image n`), its spectrum their mean, and each interval holds the mean.
    @Test func ensembleMembersMeanAndIntervals() throws {
        let svg = temporaryFolder("ensemble") + "/convergence.svg"
        let d = try Self.json(["spectrum", "--model", Self.model, "--ensemble", "5", "--k", "3", "--resamples", "300",
                               "--convergence-svg", svg])
        let members = d["members"] as! [[Double]], mean = d["spectrum"] as! [Double]
        let low = d["ci_low"] as! [Double], high = d["ci_high"] as! [Double]
        #expect(members.count == 5 && mean.count == 3)
        for n in [0, 4] {
            let single = try Self.json(["spectrum", "--model", Self.model, "--image", String(n), "--k", "3"])
            #expect(single["spectrum"] as! [Double] == members[n])
        }
        for j in 0..<3 {
            let average = members.map { $0[j] }.reduce(0, +) / 5
            #expect(abs(mean[j] - average) < 1e-14)
            #expect(low[j] <= mean[j] && mean[j] <= high[j] && low[j] < high[j])
        }
        #expect(d["kaplan_yorke_ci"] as? [Double] != nil && d["entropy_ci"] as? [Double] != nil)
        let figure = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(figure.contains("<svg") && figure.contains("λ1") && figure.contains("data-line"))
    }

    /// Below and above the transition: λ_1 < 0 at g = 0.5, > 0 at g = 3 (N = 60), gains echoed.
    @Test func autonomousAcrossTheTransition() throws {
        let d = try Self.json(["spectrum", "--autonomous", "--gain", "0.5,3", "--hidden", "60", "--steps", "400"])
        #expect(d["gains"] as! [Double] == [0.5, 3])
        let lambda1 = d["lambda1"] as! [Double]
        #expect(lambda1[0] < 0 && lambda1[1] > 0, "\(lambda1)")
        #expect((d["spectra"] as! [[Double]]).allSatisfy { $0.count == 10 })
    }
}

/// `align` does not depend on the BLAS kernel family (issue 28): with the null space excluded
/// and the singular vectors signed, OpenBLAS's Prescott (SSE3) and Sandybridge (AVX) kernels —
/// both run on any x86-64 CPU ftle supports with AVX — give the same study: the std statistics
/// to 1e-12, the per-index curves to 5e-9 (measured 1.1e-9 at most: the Q frame's own rounding).
@Suite(.enabled(if: CLI.available && (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.contains(" avx ") == true,
                "needs the ftle binary and a CPU with AVX"))
struct AlignKernelIndependenceTests {
    @Test func alignAgreesAcrossKernelFamilies() throws {
        var results: [[String: Any]] = []
        for core in ["Prescott", "Sandybridge"] {
            var env = ProcessInfo.processInfo.environment
            env["OPENBLAS_CORETYPE"] = core
            let r = try CLI.run(["align", "--model", CLI.root + "/Samples/models/paper-rowwise-h128.safetensors", "--samples", "10"],
                                environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            results.append(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any])
        }
        for key in ["std_first10", "std_last10", "std_random10"] {
            #expect(abs((results[0][key] as! Double) - (results[1][key] as! Double)) <= 1e-12, "\(key)")
        }
        #expect(results[0]["rank_by_step"] as! [Int] == results[1]["rank_by_step"] as! [Int])
        for key in ["std_by_index_first5", "std_by_index_last5"] {
            let a = results[0][key] as! [[Any]], b = results[1][key] as! [[Any]]
            var largest = 0.0
            for (rowA, rowB) in zip(a, b) {
                for (x, y) in zip(rowA, rowB) {
                    switch (x as? Double, y as? Double) {
                    case let (u?, v?): largest = max(largest, abs(u - v))
                    case (nil, nil): break
                    default: Issue.record("\(key): a null on one side only")
                    }
                }
            }
            #expect(largest <= 5e-9, "\(key): \(largest)")
        }
    }
}
