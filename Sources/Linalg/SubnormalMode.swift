import CFloatMode

/// Whether the calling thread's floating-point arithmetic flushes subnormal numbers to zero
/// (results below the smallest normal magnitude become ±0 and subnormal operands are read as
/// 0: x86-64 MXCSR FTZ+DAZ, AArch64 FPCR.FZ). PyTorch's `torch.set_flush_denormal(True)` and
/// JAX on CPU work this way.
///
/// Why it matters: training the permuted MNIST model in Float32, gradients flowing back over
/// 784 steps decay into the subnormal range, where the CPU takes a slow microcode path on every
/// operation — about two thirds of the run time there. Flushing changes results only where a
/// subnormal value would have appeared (magnitudes below 1.2e-38 in Float32, 2.2e-308 in
/// Float64), which is why it is a recorded choice of a run, never silently on.
///
/// The mode belongs to a thread. `WorkerPool` runs each job in the mode of the thread that
/// called `orderedMap`; OpenBLAS's own threads are not ours, so a caller that flushes should
/// run BLAS single-threaded (`useSingleThreadedBLAS()`), which puts every BLAS call on a thread
/// whose mode it set.
public enum SubnormalMode {
    /// True when the calling thread flushes subnormals.
    public static var isFlushing: Bool { ftle_flushes_subnormals() == 1 }

    /// Sets the calling thread's mode. Throws `Unsupported` when the CPU has no flush-to-zero
    /// mode and `flush` is true (nothing changes then).
    public static func set(flushing flush: Bool) throws {
        guard ftle_set_flush_subnormals(flush ? 1 : 0) == 1 else { throw Unsupported() }
    }

    /// This CPU has no flush-to-zero mode ftle knows how to set.
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String { "this CPU has no flush-to-zero mode ftle can set" }
    }
}
