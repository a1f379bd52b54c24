import Linalg
import Testing

/// `blasKernelHint`: a hint only when OpenBLAS's kernels are for an older instruction set than
/// the CPU's and nothing pinned the choice. Flags as /proc/cpuinfo spells them.
@Suite struct BLASKernelHintTests {
    static let sse: Set<String> = ["fpu", "sse", "sse2", "pni", "ssse3", "sse4_1", "sse4_2"]
    static let avx2 = sse.union(["avx", "fma", "avx2"])
    static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_fp16"])

    @Test func levelsOfCPUsAndKernelFamilies() {
        #expect(VectorLevel(cpuFlags: Self.sse) == .older)
        #expect(VectorLevel(cpuFlags: Self.avx2) == .avx2)
        #expect(VectorLevel(cpuFlags: Self.avx512) == .avx512)
        // AVX-512F alone (no BW/DQ/VL, as on Knights Landing) is not what SkylakeX kernels need.
        #expect(VectorLevel(cpuFlags: Self.avx2.union(["avx512f"])) == .avx2)
        #expect(VectorLevel(cpuFlags: ["avx2"]) == .older)  // AVX2 without FMA
        #expect(VectorLevel(kernelFamily: "Prescott") == .older && VectorLevel(kernelFamily: "Sandybridge") == .older)
        #expect(VectorLevel(kernelFamily: "Haswell") == .avx2 && VectorLevel(kernelFamily: "Zen") == .avx2)
        #expect(VectorLevel(kernelFamily: "SkylakeX") == .avx512 && VectorLevel(kernelFamily: "Cooperlake") == .avx512)
    }

    @Test func hintsOnlyAFallbackNobodyChose() throws {
        // Debian's 0.3.21 on a current Intel Xeon, nothing set: Prescott kernels.
        let fallback = try #require(blasKernelHint(core: "Prescott", cpuFlags: Self.avx512, coreTypeSet: false))
        #expect(fallback.contains("Prescott") && fallback.contains("AVX-512") && fallback.contains("OPENBLAS_CORETYPE=SkylakeX"))
        let avx2Fallback = try #require(blasKernelHint(core: "Sandybridge", cpuFlags: Self.avx2, coreTypeSet: false))
        #expect(avx2Fallback.contains("OPENBLAS_CORETYPE=Haswell"))
        // A machine that pins Haswell on an AVX-512 CPU does so on purpose: no hint.
        #expect(blasKernelHint(core: "Haswell", cpuFlags: Self.avx512, coreTypeSet: true) == nil)
        // Kernels that fit the CPU, or a CPU older than any better family: no hint.
        #expect(blasKernelHint(core: "SkylakeX", cpuFlags: Self.avx512, coreTypeSet: false) == nil)
        #expect(blasKernelHint(core: "Haswell", cpuFlags: Self.avx2, coreTypeSet: false) == nil)
        #expect(blasKernelHint(core: "Prescott", cpuFlags: Self.sse, coreTypeSet: false) == nil)
    }
}
