import Foundation
import Linalg

/// The one re-execution of `BLASKernelChoice`: when OpenBLAS fell back below this CPU's
/// instruction set and nobody set OPENBLAS_CORETYPE, ftle runs itself again, before any work,
/// with the variable naming the CPU's own family (the library reads it only when it loads).
enum KernelReexecution {
    /// Returns when there is nothing to do, or when exec failed (the process then runs on with
    /// OpenBLAS's own choice, as it would have without ftle's help).
    static func reexecuteIfOpenBLASFellBack() {
        #if os(Linux)
        guard let family = BLASKernelChoice.reexecutionCoreTypeHere else { return }
        let replaced = blasCoreName
        setenv("OPENBLAS_CORETYPE", family, 1)
        setenv(BLASKernelChoice.markerVariable, replaced, 1)
        // The path of this program as the kernel knows it (argv[0] may be a bare name on PATH).
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
        execv(path, CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(BLASKernelChoice.markerVariable)
        #endif
    }
}
