import FuzzDriver
import Foundation
import MNIST
import RNN

/// Declared sizes against the file size and the memory budget (issue 30, T1/T2): the header
/// checks that run before any data is read, for a file whose size is given apart from its
/// first bytes — a sparse file declaring any shape, its body never written.
///
/// Input: byte 0 picks the reader (mod 4: safetensors, .npy, IDX of 1 and of 3 dimensions),
/// bytes 1…8 (little-endian, mod 2⁵⁰) are how much longer the file is than the bytes after them,
/// and those bytes are the file's beginning. The memory budget is 1 GiB. An accepted header
/// must plan at most the budget and declare exactly the file's size; an error must be one
/// printable line. Nothing of the declared data is allocated, so a trap or an OOM is a bug.
let budget = Double(1 << 30)

func isOneLine(_ s: String) -> Bool {
    !s.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) && s.utf8.count < 2000
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzDeclaredSizes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard size >= 9, let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let extra = bytes[1...8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } % (1 << 50)
    let prefix = Array(bytes[9...])
    let fileSize = prefix.count + Int(extra)
    do {
        switch bytes[0] % 4 {
        case 0:
            let planned = try SafeTensorsFile.plannedAllocation(prefix: prefix, fileSize: fileSize, path: "fuzz.safetensors", available: budget)
            precondition(Double(planned) <= budget && planned <= 2 * fileSize, "safetensors planned \(planned) bytes for a file of \(fileSize)")
        case 1:
            let h = try NPYArray.header(prefix, fileSize: fileSize, path: "fuzz.npy", available: budget)
            precondition(h.plannedBytes <= budget, "npy planned \(h.plannedBytes) bytes")
            precondition(h.count == h.shape.reduce(1, *) && h.dataStart + h.count * h.width == fileSize, "npy sizes disagree: \(h) for \(fileSize)")
        default:
            let dims = bytes[0] % 4 == 2 ? 1 : 3
            let h = try IDXArray.checkHeader(prefix, fileSize: fileSize, path: "fuzz.idx", expectedDimensions: dims, available: budget)
            precondition(Double(h.expected) <= budget && h.expected == fileSize && h.dims.count == dims, "idx \(h) for \(fileSize)")
        }
    } catch let e as FileFormatError {
        precondition(isOneLine(e.description), "not one printable line: \(e)")
    } catch let e as DataFileError {
        precondition(isOneLine(e.description), "not one printable line: \(e)")
    } catch {
        preconditionFailure("unexpected error type \(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzDeclaredSizes($0, $1)) })
