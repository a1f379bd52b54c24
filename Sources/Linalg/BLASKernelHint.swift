import Foundation

/// Instruction-set levels of OpenBLAS kernel families and of CPUs, for `blasKernelHint`.
public enum VectorLevel: Int, Comparable, Sendable {
    /// Below AVX2 (SSE, AVX without FMA).
    case older = 1
    /// AVX2 with FMA: OpenBLAS's Haswell family.
    case avx2 = 2
    /// AVX-512 (F, BW, DQ, VL): OpenBLAS's SkylakeX family.
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

    /// The OPENBLAS_CORETYPE value that selects this level's kernels.
    public var coreType: String {
        switch self {
        case .avx512: return "SkylakeX"
        case .avx2: return "Haswell"
        case .older: return "Prescott"
        }
    }
}

/// One line when OpenBLAS chose kernels for an older instruction set than the CPU has — as
/// Debian's 0.3.21 does on CPUs newer than itself, falling back to Prescott (SSE3) kernels
/// several times slower — naming the OPENBLAS_CORETYPE that selects faster ones; nil when the
/// choice fits the CPU or when OPENBLAS_CORETYPE is set (a machine may pin an older family on
/// purpose: some builds compute wrong results with the kernels they would pick).
public func blasKernelHint(core: String, cpuFlags: Set<String>, coreTypeSet: Bool) -> String? {
    guard !coreTypeSet else { return nil }
    let cpu = VectorLevel(cpuFlags: cpuFlags), kernels = VectorLevel(kernelFamily: core)
    guard kernels < cpu else { return nil }
    return "OpenBLAS runs its \(core) kernels on a CPU with \(cpu == .avx512 ? "AVX-512" : "AVX2"); "
        + "OPENBLAS_CORETYPE=\(cpu.coreType) selects faster ones (README: Which BLAS kernels run)"
}

/// `blasKernelHint` for this process: OpenBLAS's choice, this CPU's flags, this environment.
public var blasKernelHintHere: String? {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flagsLine = info.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
    let flags = Set(flagsLine.split(separator: ":").dropFirst().joined().split(separator: " ").map(String.init))
    return blasKernelHint(core: blasCoreName, cpuFlags: flags, coreTypeSet: ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil)
}
