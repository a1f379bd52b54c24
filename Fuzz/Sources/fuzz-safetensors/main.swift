import FuzzDriver
import Foundation
import RNN

/// safetensors container, then the model mapping (PyTorch names, shapes, task, finiteness).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let file = try SafeTensorsFile(parsing: bytes, path: "fuzz.safetensors")
        for t in file.tensors.values { _ = t.doubles }
        let model = try RNNModel<Double>(file: file, path: "fuzz.safetensors")
        // A model that loads must round-trip through the writer.
        _ = try SafeTensorsFile(parsing: model.safeTensors().encoded(), path: "roundtrip")
    } catch let e as FileFormatError {
        precondition(!e.description.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }), "not one printable line: \(e)")
    } catch {
        preconditionFailure("unexpected error type \(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzSafeTensors($0, $1)) })
