import Foundation
import MNIST
import Testing

/// Inputs for the libFuzzer targets `fuzz-idx` and `fuzz-gzip` (see docs/fuzzing.md). Neither
/// found a crash in its runs; these keep the boundary cases it relies on and replay any stored
/// input in Tests/Fixtures/fuzz/idx and .../gzip.
@Suite struct MNISTFuzzRegressionTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz").path

    static func files(_ target: String) -> [String] {
        let dir = fixtures + "/" + target
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    @Test func everyStoredInputParsesOrFailsWithOneLine() throws {
        for target in ["idx", "gzip"] {
            for path in Self.files(target) {
                let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                do {
                    let data = target == "gzip" ? try gunzip(bytes, path: path, limit: 4 << 20) : bytes
                    for dims in [1, 3] { _ = try? IDXArray(parsing: data, path: path, expectedDimensions: dims) }
                } catch let e as DataFileError {
                    #expect(!e.description.contains { $0.isNewline }, "\(path): \(e)")
                }
            }
        }
    }

    @Test func emptyAndTinyGzipInputsAreTruncatedNotCrashes() {
        #expect(throws: DataFileError(path: "g", .truncatedGzip)) { try gunzip([], path: "g") }
        #expect(throws: DataFileError(path: "g", .truncatedGzip)) { try gunzip([0x1f, 0x8b], path: "g") }
    }

    @Test func idxDimensionProductOverflowIsReported() {
        let huge: [UInt8] = [0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        #expect(throws: DataFileError(path: "i", .badDimensions("4294967295 is too large"))) {
            try IDXArray(parsing: huge, path: "i", expectedDimensions: 3)
        }
    }
}
