import Foundation
import Testing

/// The kernel choice through the binary (`BLASKernelChoice`, README "Which BLAS kernels run"):
/// `ftle bench gemm` names the core and who chose it. With OPENBLAS_CORETYPE unset the core is
/// never below this CPU's level (where OpenBLAS fell back, ftle re-executed with the CPU's own
/// family, and says so); a value the user set — even empty — is kept, never replaced.
@Suite(.enabled(if: CLI.available)) struct BLASKernelChoiceCLITests {
    /// The environment of this test process without the variables under test.
    static var cleanEnvironment: [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["OPENBLAS_CORETYPE"] = nil
        e["FTLE_BLAS_FALLBACK_CORE"] = nil
        return e
    }

    static func bench(_ environment: [String: String]) throws -> [String: Any] {
        let r = try CLI.run(["bench", "gemm", "--n", "8", "--repeat", "1"], environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// Instruction-set level of a kernel family or of /proc/cpuinfo's flags (as `VectorLevel`,
    /// written out again here so the test does not read the code it checks).
    static func level(family: String) -> Int {
        switch family.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen": return 2
        default: return 1
        }
    }

    static var cpuLevel: Int {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return 3 }
        return flags.contains("avx2") && flags.contains("fma") ? 2 : 1
    }

    @Test func unsetChoosesAtLeastTheCPUsLevel() throws {
        let json = try Self.bench(Self.cleanEnvironment)
        let core = try #require(json["blas_core"] as? String)
        let chosenBy = try #require(json["blas_core_chosen_by"] as? String)
        #expect(chosenBy == "openblas" || chosenBy == "ftle")
        #expect(Self.level(family: core) >= Self.cpuLevel, "core \(core) below this CPU's level \(Self.cpuLevel)")
        if chosenBy == "ftle" {
            // What ftle replaced was a fallback below the CPU's level.
            let replaced = try #require(json["blas_core_replaced"] as? String)
            #expect(Self.level(family: replaced) < Self.cpuLevel)
        } else {
            #expect(json["blas_core_replaced"] == nil)
        }
    }

    @Test func aValueTheUserSetIsKeptEvenEmptyOrOlder() throws {
        var env = Self.cleanEnvironment
        env["OPENBLAS_CORETYPE"] = "Prescott"
        let pinned = try Self.bench(env)
        #expect(pinned["blas_core"] as? String == "Prescott")
        #expect(pinned["blas_core_chosen_by"] as? String == "environment")
        env["OPENBLAS_CORETYPE"] = ""
        let empty = try Self.bench(env)
        #expect(empty["blas_core_chosen_by"] as? String == "environment")
        #expect(empty["blas_core_replaced"] == nil)
    }

    /// The re-execution itself, on any CPU with AVX2: a preloaded shim makes
    /// `openblas_get_corename` answer "Prescott" while OPENBLAS_CORETYPE is unset (as Debian's
    /// 0.3.21 does on a CPU it does not know) and the real name once it is set. ftle must run
    /// itself again with the CPU's own family, once, and report that it chose it.
    @Test(.enabled(if: cpuLevel >= 2 && FileManager.default.isExecutableFile(atPath: "/usr/bin/cc")))
    func aFallbackIsReplacedByOneReexecution() throws {
        let folder = temporaryFolder("kernel-shim")
        try """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <stdio.h>
        #include <stdlib.h>
        char *openblas_get_corename(void) {
            FILE *log = fopen("\(folder)/calls", "a");
            if (log) { fputs(getenv("OPENBLAS_CORETYPE") ? "set\\n" : "unset\\n", log); fclose(log); }
            if (!getenv("OPENBLAS_CORETYPE")) return "Prescott";
            char *(*real)(void) = (char *(*)(void))dlsym(RTLD_NEXT, "openblas_get_corename");
            return real();
        }
        """.write(toFile: folder + "/shim.c", atomically: true, encoding: .utf8)
        let cc = try CLI.shell("cc -shared -fPIC -o '\(folder)/shim.so' '\(folder)/shim.c' -ldl")
        #expect(cc.status == 0, "\(cc.stderr)")
        var env = Self.cleanEnvironment
        env["LD_PRELOAD"] = folder + "/shim.so"
        let json = try Self.bench(env)
        let core = try #require(json["blas_core"] as? String)
        #expect(json["blas_core_chosen_by"] as? String == "ftle")
        #expect(json["blas_core_replaced"] as? String == "Prescott")
        #expect(Self.level(family: core) == Self.cpuLevel, "chose \(core)")
        // One process asked with the variable unset, then the re-executed one with it set
        // (each may ask more than once), and nothing after that.
        let calls = try String(contentsOfFile: folder + "/calls", encoding: .utf8).split(separator: "\n").map(String.init)
        let firstSet = try #require(calls.firstIndex(of: "set"), "\(calls)")
        #expect(firstSet > 0 && calls[..<firstSet].allSatisfy { $0 == "unset" } && calls[firstSet...].allSatisfy { $0 == "set" }, "\(calls)")
    }
}
