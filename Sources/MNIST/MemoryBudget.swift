import Foundation

/// What a file reader may allocate: the machine's physical memory. Every reader of outside data
/// (safetensors, .npy, IDX) computes the bytes its declared sizes would allocate and asks here
/// before allocating, so a sparse file that declares 160 GB of tensors is one line of error,
/// not a trap in the allocator.
public enum MemoryBudget {
    /// Physical memory of this machine in bytes (`sysconf`), or +∞ when unknown.
    public static var physicalBytes: Double {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return .infinity }
        return Double(pages) * Double(size)
    }

    /// "12 MB", "137.5 GB", "1.6 TB", "2.72e+20 bytes" (decimal units, computed in Double).
    public static func text(_ bytes: Double) -> String {
        if bytes < 1e6 { return String(format: "%.0f kB", (bytes / 1e3).rounded(.up)) }
        if bytes < 1e9 { return String(format: "%.0f MB", (bytes / 1e6).rounded(.up)) }
        if bytes < 1e12 { return String(format: "%.1f GB", bytes / 1e9) }
        if bytes < 1e15 { return String(format: "%.1f TB", bytes / 1e12) }
        return String(format: "%.2e bytes", bytes)
    }

    /// nil when `bytes` fit in `available`, else the problem in words ("would need about 320.1 GB
    /// of memory, more than this machine has").
    public static func shortfall(_ bytes: Double, available: Double = physicalBytes) -> String? {
        bytes <= available ? nil : "would need about \(text(bytes)) of memory, more than this machine has"
    }
}
