import Linalg
import Testing

/// `BLASKernelChoice`: ftle re-executes with the CPU's own kernel family only when OpenBLAS fell
/// back below the CPU's instruction set and nothing pinned the choice. Flags and vendors as
/// /proc/cpuinfo spells them.
@Suite struct BLASKernelChoiceTests {
    static let sse: Set<String> = ["fpu", "sse", "sse2", "pni", "ssse3", "sse4_1", "sse4_2"]
    static let avx2 = sse.union(["avx", "fma", "avx2"])
    static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_fp16"])
    static let intel = "GenuineIntel", amd = "AuthenticAMD"

    @Test func levelsOfCPUsAndKernelFamilies() {
        #expect(VectorLevel(cpuFlags: Self.sse) == .older)
        #expect(VectorLevel(cpuFlags: Self.avx2) == .avx2)
        #expect(VectorLevel(cpuFlags: Self.avx512) == .avx512)
        // AVX-512F alone is not the SkylakeX set; AVX2 without FMA is not Haswell's.
        #expect(VectorLevel(cpuFlags: Self.avx2.union(["avx512f"])) == .avx2)
        #expect(VectorLevel(cpuFlags: ["avx2"]) == .older)
        #expect(VectorLevel(kernelFamily: "Prescott") == .older && VectorLevel(kernelFamily: "Sandybridge") == .older)
        #expect(VectorLevel(kernelFamily: "Haswell") == .avx2 && VectorLevel(kernelFamily: "Zen") == .avx2)
        #expect(VectorLevel(kernelFamily: "SkylakeX") == .avx512 && VectorLevel(kernelFamily: "Cooperlake") == .avx512)
    }

    @Test func bestFamilyByVendorAndFlags() {
        #expect(CPUDescription(vendor: Self.intel, flags: Self.avx512).bestKernelFamily == "SkylakeX")
        #expect(CPUDescription(vendor: Self.intel, flags: Self.avx512.union(["avx512_bf16"])).bestKernelFamily == "Cooperlake")
        #expect(CPUDescription(vendor: Self.amd, flags: Self.avx512.union(["avx512_bf16"])).bestKernelFamily == "Cooperlake")  // Zen 4
        #expect(CPUDescription(vendor: Self.intel, flags: Self.avx2).bestKernelFamily == "Haswell")
        #expect(CPUDescription(vendor: Self.amd, flags: Self.avx2).bestKernelFamily == "Zen")
        #expect(CPUDescription(vendor: "HygonGenuine", flags: Self.avx2).bestKernelFamily == "Zen")
        #expect(CPUDescription(vendor: Self.intel, flags: Self.sse).bestKernelFamily == nil)
    }

    @Test func parsesCPUInfo() {
        let text = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        model name\t: Intel(R) Xeon(R)
        flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512bw avx512dq avx512vl
        processor\t: 1
        vendor_id\t: AuthenticAMD
        """
        let cpu = CPUDescription(cpuinfo: text)
        #expect(cpu.vendor == "GenuineIntel")
        #expect(cpu.flags == ["fpu", "sse", "sse2", "avx", "fma", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"])
        #expect(CPUDescription(cpuinfo: "garbage").bestKernelFamily == nil)
    }

    /// The Xeon case of issue 26 (Debian's 0.3.21 picks Prescott on an AVX-512 CPU) and each
    /// reason not to re-execute.
    @Test func reexecutesOnlyOnAFallbackNobodyPinned() {
        let xeon = CPUDescription(vendor: Self.intel, flags: Self.avx512)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: xeon, environment: [:]) == "SkylakeX")
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Haswell", cpu: xeon, environment: [:]) == "SkylakeX")
        let epyc = CPUDescription(vendor: Self.amd, flags: Self.avx2)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Sandybridge", cpu: epyc, environment: [:]) == "Zen")
        // Already at the CPU's level: OpenBLAS's choice stands (Haswell on an AMD CPU too).
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Zen", cpu: epyc, environment: [:]) == nil)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Haswell", cpu: epyc, environment: [:]) == nil)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "SkylakeX", cpu: xeon, environment: [:]) == nil)
        // A value the user set, even empty, is respected.
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: xeon, environment: ["OPENBLAS_CORETYPE": ""]) == nil)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: xeon, environment: ["OPENBLAS_CORETYPE": "Haswell"]) == nil)
        // Never twice: the marker says this process is the re-execution.
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: xeon,
                                                     environment: [BLASKernelChoice.markerVariable: "Prescott"]) == nil)
        // Unknown or old CPUs: nothing to choose.
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: nil, environment: [:]) == nil)
        #expect(BLASKernelChoice.reexecutionCoreType(loadedCore: "Prescott", cpu: CPUDescription(vendor: Self.intel, flags: Self.sse),
                                                     environment: [:]) == nil)
    }

    @Test func whoChose() {
        #expect(BLASKernelChoice.chosenBy(environment: [:]) == .openblas)
        #expect(BLASKernelChoice.chosenBy(environment: ["OPENBLAS_CORETYPE": ""]) == .environment)
        #expect(BLASKernelChoice.chosenBy(environment: ["OPENBLAS_CORETYPE": "SkylakeX", BLASKernelChoice.markerVariable: "Prescott"]) == .ftle)
    }
}
