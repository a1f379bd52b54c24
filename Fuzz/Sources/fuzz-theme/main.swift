import FuzzDriver
import Foundation
import TerminalUI

/// Theme text (decoded as UTF-8 with replacement, as `Theme.load` would see valid text).
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTheme(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let result = Theme.parse(text: text, name: "fuzz")
    for w in result.warnings { precondition(!w.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }), "warning is not one printable line: \(w)") }
    // The same text with CRLF line ends must give the same colours.
    if !text.contains("\r") {
        let crlf = Theme.parse(text: text.replacingOccurrences(of: "\n", with: "\r\n"), name: "fuzz")
        precondition(crlf.theme == result.theme && crlf.warnings.count == result.warnings.count, "CRLF changes the theme")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { Int32(fuzzTheme($0, $1)) })
