import FuzzDriver
import Foundation
import RNN

/// .npy arrays: versions 1–3, '<f4' '<f8' '<i8', C or Fortran order.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzNPY(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let a = try NPYArray(parsing: bytes, path: "fuzz.npy")
        precondition(a.values.count == a.shape.reduce(1, *))
    } catch let e as FileFormatError {
        precondition(!e.description.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }), "not one printable line: \(e)")
    } catch {
        preconditionFailure("unexpected error type \(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzNPY($0, $1)) })
