import FuzzDriver
import Foundation
import MNIST

/// gzip-wrapped IDX: inflate (with a small limit, as a bomb guard) and parse the result.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzGzip(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let inflated = try gunzip(bytes, path: "fuzz.gz", limit: 4 << 20)
        precondition(inflated.count <= 4 << 20)
        for dims in [1, 3] { _ = try? IDXArray(parsing: inflated, path: "fuzz.gz", expectedDimensions: dims) }
    } catch let e as DataFileError {
        precondition(!e.description.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }), "not one printable line: \(e)")
    } catch {
        preconditionFailure("unexpected error type \(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzGzip($0, $1)) })
