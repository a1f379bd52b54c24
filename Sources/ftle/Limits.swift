import ArgumentParser
import Foundation
import RNN

/// Range checks of integer options at parse time (one usage line, exit 2), and the memory
/// check that refuses a size this machine cannot hold before anything is allocated.
enum OptionLimits {
    /// Throws "FLAG must be at least MIN (got V)" / "FLAG must be at most MAX (got V)".
    static func check(_ flag: String, _ value: Int?, _ range: ClosedRange<Int>) throws {
        guard let value else { return }
        if value < range.lowerBound { throw ValidationError("\(flag) must be at least \(range.lowerBound) (got \(value))") }
        if value > range.upperBound { throw ValidationError("\(flag) must be at most \(range.upperBound) (got \(value))") }
    }

    /// Throws "WHAT would need about N GB of memory, more than this machine has" when `bytes`
    /// (computed in Double, so no size overflows) exceeds the physical memory.
    static func requireMemory(_ bytes: Double, _ what: String) throws {
        if bytes > TrainingLimits.physicalMemoryBytes {
            throw ValidationError("\(what) would need about \(TrainingLimits.memoryText(bytes)) of memory, more than this machine has")
        }
    }
}
