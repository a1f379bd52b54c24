import FuzzDriver
import Foundation
import RNN

/// history.csv: the lenient reader and the resume repair. Properties: the repair never loses a
/// complete line other than duplicates and rows after the checkpoint, its output is repaired
/// already (a second pass changes nothing), and it parses to the rows the first pass kept.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzHistory(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let step = bytes.first.map { Int($0) % 16 } ?? 0
    _ = TrainingHistory(bytes: bytes).rows
    let (once, repair) = TrainingHistory.repaired(bytes, throughStep: step)
    let (twice, again) = TrainingHistory.repaired(once, throughStep: step)
    precondition(twice == once, "the repair is not idempotent")
    precondition(again.duplicateRows == 0 && !again.partialLastRow && again.rowsAfterCheckpoint == 0 && again.crlfLines == 0
                 && !again.missingHeader, "a repaired history needs repairing again: \(again)")
    precondition(once.last == 0x0a, "line ends")
    let rows = TrainingHistory(bytes: once).rows
    precondition(Set(rows.map(\.identity)).count == rows.count, "duplicate rows left")
    precondition(rows.allSatisfy { $0.step <= step }, "rows after the checkpoint left")
    precondition(!repair.description.contains("\n"))
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzHistory($0, $1)) })
