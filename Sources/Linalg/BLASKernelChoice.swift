import Foundation

/// Instruction-set levels of OpenBLAS kernel families and of CPUs, for `BLASKernelChoice`.
public enum VectorLevel: Int, Comparable, Sendable {
    /// Below AVX2 (SSE, AVX without FMA).
    case older = 1
    /// AVX2 with FMA: OpenBLAS's Haswell and Zen families.
    case avx2 = 2
    /// AVX-512 (F, BW, DQ, VL): OpenBLAS's SkylakeX, Cooperlake and SapphireRapids families.
    case avx512 = 3

    public static func < (a: VectorLevel, b: VectorLevel) -> Bool { a.rawValue < b.rawValue }

    /// The level a kernel family (as `openblas_get_corename` names it) is written for.
    public init(kernelFamily name: String) {
        switch name.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": self = .avx512
        case "haswell", "zen": self = .avx2
        default: self = .older
        }
    }

    /// The level a CPU supports, from its `/proc/cpuinfo` flags.
    public init(cpuFlags flags: Set<String>) {
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { self = .avx512 }
        else if flags.contains("avx2") && flags.contains("fma") { self = .avx2 }
        else { self = .older }
    }
}

/// What `/proc/cpuinfo` says of the first CPU: its vendor and its feature flags.
public struct CPUDescription: Sendable, Equatable {
    public var vendor: String
    public var flags: Set<String>

    public init(vendor: String, flags: Set<String>) {
        self.vendor = vendor
        self.flags = flags
    }

    /// Parses the text of `/proc/cpuinfo` (the first `vendor_id` and `flags` lines; missing
    /// lines give an empty vendor or no flags, which choose nothing).
    public init(cpuinfo text: String) {
        func value(_ key: String) -> String {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key) }),
                  let colon = line.firstIndex(of: ":") else { return "" }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        vendor = value("vendor_id")
        flags = Set(value("flags").split(separator: " ").map(String.init))
    }

    /// This machine's, or nil where `/proc/cpuinfo` cannot be read (not Linux).
    public static var here: CPUDescription? {
        (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)).map(CPUDescription.init(cpuinfo:))
    }

    /// AMD or Hygon (OpenBLAS's Zen family is theirs).
    var isAMD: Bool { vendor == "AuthenticAMD" || vendor == "HygonGenuine" }

    public var level: VectorLevel { VectorLevel(cpuFlags: flags) }

    /// The OpenBLAS kernel family written for this CPU's instruction set: Cooperlake where the
    /// CPU has AVX512-BF16, SkylakeX for the other AVX-512 CPUs (Intel, and AMD Zen 4), Zen for
    /// AMD's AVX2 CPUs, Haswell for the other AVX2 ones; nil below AVX2 (OpenBLAS's own choice
    /// is as good as any there).
    public var bestKernelFamily: String? {
        switch level {
        case .avx512: return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        case .avx2: return isAMD ? "Zen" : "Haswell"
        case .older: return nil
        }
    }
}

/// Which OpenBLAS kernels ftle runs, and why.
///
/// OpenBLAS picks its kernel family once, when the library loads, from the CPU model it
/// recognises; a build older than the CPU (Debian 12's 0.3.21 on recent Xeons) does not
/// recognise it and falls back to its Prescott (SSE3) kernels, several times slower (dgemm
/// 28 against 133 GFLOP/s on an AVX-512 Xeon). The environment variable OPENBLAS_CORETYPE
/// overrides the choice, but only before the library loads — so ftle, finding a fallback,
/// re-executes itself once with the variable set to the CPU's own family
/// (`reexecutionCoreType`). A value the user set, even an empty one, is always respected.
public enum BLASKernelChoice {
    /// The environment variable that records a choice ftle made: it holds the family OpenBLAS
    /// had chosen itself, and marks the re-executed process so it never re-executes again.
    public static let markerVariable = "FTLE_BLAS_FALLBACK_CORE"

    /// Who chose the kernels of this process, as `ftle bench` reports it (`blas_core_chosen_by`).
    public enum ChosenBy: String, Sendable {
        /// OpenBLAS itself, at load (OPENBLAS_CORETYPE unset, and its choice fitted the CPU).
        case openblas
        /// The user, with OPENBLAS_CORETYPE (even empty).
        case environment
        /// ftle, replacing OpenBLAS's fallback (`markerVariable` holds what it replaced).
        case ftle
    }

    /// The OPENBLAS_CORETYPE value to re-execute with, or nil to run as loaded: nil when the
    /// variable is set (even empty), when this process is already a re-execution (the marker
    /// is set), when the CPU is unknown or below AVX2, and when the loaded family is already at
    /// the CPU's level.
    public static func reexecutionCoreType(loadedCore: String, cpu: CPUDescription?, environment: [String: String]) -> String? {
        guard environment["OPENBLAS_CORETYPE"] == nil, environment[markerVariable] == nil,
              let cpu, let best = cpu.bestKernelFamily,
              VectorLevel(kernelFamily: loadedCore) < cpu.level else { return nil }
        return best
    }

    /// Who chose the kernels, read from the environment this process started with.
    public static func chosenBy(environment: [String: String]) -> ChosenBy {
        if environment[markerVariable] != nil { return .ftle }
        return environment["OPENBLAS_CORETYPE"] != nil ? .environment : .openblas
    }

    /// For this process: what to re-execute with (see `reexecutionCoreType`).
    public static var reexecutionCoreTypeHere: String? {
        reexecutionCoreType(loadedCore: blasCoreName, cpu: .here, environment: ProcessInfo.processInfo.environment)
    }
}
