import Foundation
import RNN
import Testing

/// Inputs found by the libFuzzer targets `fuzz-npy` and `fuzz-safetensors` (see docs/fuzzing.md).
@Suite struct RNNFuzzRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    static func files(_ target: String) -> [String] {
        let dir = fixtures + "/" + target
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// One printable line: no line break, no control character.
    static func isOneLine(_ s: String) -> Bool {
        !s.contains { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 } ?? false) }
    }

    @Test func everyStoredNPYInputParsesOrFailsWithOneLine() throws {
        let files = Self.files("npy")
        #expect(!files.isEmpty)
        for path in files {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            do { _ = try NPYArray(parsing: bytes, path: path) } catch let e as FileFormatError {
                #expect(Self.isOneLine(e.description), "\(path): \(e)")
                #expect(e.description.hasPrefix(path + ": "))
            }
        }
    }

    @Test func everyStoredSafeTensorsInputParsesOrFailsWithOneLine() throws {
        for path in Self.files("safetensors") {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            do {
                let file = try SafeTensorsFile(parsing: bytes, path: path)
                _ = try RNNModel<Double>(file: file, path: path)
            } catch let e as FileFormatError {
                #expect(Self.isOneLine(e.description), "\(path): \(e)")
            }
        }
    }

    /// fuzz-npy crash 1: the dtype descriptor ran over a line break and the message echoed it.
    @Test func npyDescriptorWithLineBreakIsEscaped() {
        var header = "{'descr': '<f\nS', 'fortran_order': False, 'shape': (1,), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xff), UInt8(n >> 8)] + Array(header.utf8) + [UInt8](repeating: 0, count: 8)
        #expect(throws: FileFormatError(path: "x.npy", "unsupported .npy dtype '<f\\nS' (ftle reads '<f4', '<f8', '<i8')")) {
            try NPYArray(parsing: bytes, path: "x.npy")
        }
    }

    static func safetensors(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        for i in 0..<8 { out.append(UInt8((UInt64(h.count) >> (8 * UInt64(i))) & 0xff)) }
        return out + h + data
    }

    /// A tensor name or metadata value holding a line break (legal JSON) must not break the
    /// one-line error; long names are cut.
    @Test func safetensorsNamesInMessagesAreEscapedAndCut() {
        #expect(throws: FileFormatError(path: "m", "tensor \"a\\nb\": entry is not an object")) {
            try SafeTensorsFile(parsing: Self.safetensors(header: #"{"a\nb": 1}"#), path: "m")
        }
        #expect(throws: FileFormatError(path: "m", "metadata value for \"k\\u{1b}[2J\" is not a string")) {
            try SafeTensorsFile(parsing: Self.safetensors(header: #"{"__metadata__": {"k\u001b[2J": 1}}"#), path: "m")
        }
        let long = String(repeating: "x", count: 100)
        #expect(throws: FileFormatError(path: "m", "tensor \"\(String(repeating: "x", count: 64))…\": missing dtype")) {
            try SafeTensorsFile(parsing: Self.safetensors(header: "{\"\(long)\": {}}"), path: "m")
        }
        // Ordinary names are unchanged.
        #expect(throws: FileFormatError(path: "m", "tensor \"fc.bias\": unsupported dtype BF16 (ftle reads F32, F64, I64)")) {
            try SafeTensorsFile(parsing: Self.safetensors(header: #"{"fc.bias": {"dtype": "BF16", "shape": [0], "data_offsets": [0, 0]}}"#), path: "m")
        }
    }

    @Test func modelMetadataWithLineBreakIsEscaped() throws {
        let m = RNNModel<Float>(task: .rowwise, hidden: 2, initialization: .pytorch, seed: 1)
        var file = m.safeTensors()
        file.metadata["task"] = "rowwise\nfake second line"
        #expect(throws: FileFormatError(path: "m", "unknown task \"rowwise\\nfake second line\" in metadata (expected rowwise, pixelwise, permuted or none)")) {
            try RNNModel<Double>(file: SafeTensorsFile(parsing: file.encoded(), path: "m"), path: "m")
        }
    }
}
