import FuzzDriver
import Foundation
import MNIST

/// Raw IDX: the parser must throw a one-line `DataFileError` or return an array whose
/// size matches its dimensions, for any bytes.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    for dims in [1, 3] {
        if let a = try? IDXArray(parsing: bytes, path: "fuzz.idx", expectedDimensions: dims) {
            precondition(a.dimensions.count == dims)
            precondition(a.bytes.count == a.dimensions.reduce(1, *))
        }
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzIDX($0, $1)) })
