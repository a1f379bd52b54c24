import Foundation
import Linalg
import MNIST
import Testing
import TestSupport

/// The bundled samples directory, found from this file's location.

@Suite struct BundledMNISTTests {
    @Test func testSplitLoadsWithPublishedLabelCounts() throws {
        let test = try MNISTDataset.load(directory: samplesMNIST, split: .test)
        #expect(test.count == 10000)
        var counts = [Int](repeating: 0, count: 10)
        for l in test.labels { counts[Int(l)] += 1 }
        // From Samples/mnist/README.md (the data set's published counts).
        #expect(counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(test.label(0) == 7)
        let img = test.image(0)
        #expect(img.count == 784 && img.allSatisfy { $0 >= 0 && $0 <= 1 } && img.contains(1))
    }

    @Test func sequenceViews() throws {
        let test = try MNISTDataset.load(directory: samplesMNIST, split: .test)
        let img = test.image(3)
        #expect(SequenceTask.rowwise.steps == 28 && SequenceTask.rowwise.inputSize == 28)
        #expect(SequenceTask.pixelwise.steps == 784 && SequenceTask.pixelwise.inputSize == 1)
        // Row-wise step t is row t.
        let rows = SequenceTask.rowwise.sequence(img)
        let row5: [Float] = Array(rows[140..<168])
        let imageRow5: [Float] = (0..<28).map { (c: Int) -> Float in img[140 + c] }
        #expect(row5 == imageRow5)
        // Permuted: a bijection, derived from the seed, and invertible.
        let p1 = SequenceTask.permuted(seed: 7), p2 = SequenceTask.permuted(seed: 7), p3 = SequenceTask.permuted(seed: 8)
        #expect(p1 == p2 && p1 != p3)
        guard case let .permuted(perm) = p1 else { Issue.record("not permuted"); return }
        #expect(SequenceTask.isValidPermutation(perm))
        let seq = p1.sequence(img)
        for t in [0, 100, 783] { #expect(seq[t] == img[perm[t]] && p1.step(ofPixel: perm[t]) == t) }
        #expect(p1.image(fromSequence: seq) == img)
    }
}

/// One test per bad MNIST file: each gives a `DataFileError` naming the file and the problem.
@Suite struct BadMNISTFileTests {
    let dir = makeTemporaryDirectory("ftle-mnist")

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let raw = write("tmp.raw", bytes)
        let r = try Subprocess.run("/bin/gzip", ["-c", "-n", raw], timeout: 60)
        try #require(r.status == 0, "gzip failed: \(r.stderr)")
        return r.stdoutBytes
    }

    func expectProblem(_ path: String, dims: Int = 3, _ expected: DataFileError.Problem) {
        do {
            _ = try IDXArray(contentsOf: path, expectedDimensions: dims)
            Issue.record("\(path) parsed but should fail with \(expected)")
        } catch let e as DataFileError {
            #expect(e.problem == expected)
            #expect(e.path == path)
            #expect(e.description.hasPrefix(path + ": ") && !e.description.contains("\n"))
        } catch { Issue.record("unexpected error \(error)") }
    }

    var validImages: [UInt8] { IDXArray.encode(dimensions: [2, 28, 28], bytes: [UInt8](repeating: 7, count: 2 * 784)) }

    @Test func missing() { expectProblem(dir + "/nope-idx3-ubyte", .missing) }
    @Test func directory() throws {
        try FileManager.default.createDirectory(atPath: dir + "/adir", withIntermediateDirectories: true)
        expectProblem(dir + "/adir", .isDirectory)
    }
    @Test func empty() { expectProblem(write("empty", []), .empty) }
    @Test func truncated() {
        let b = validImages
        expectProblem(write("short", Array(b[0..<(b.count - 10)])), .truncated(expected: b.count, actual: b.count - 10))
    }
    @Test func trailingBytes() {
        let b = validImages
        expectProblem(write("long", b + [1, 2, 3]), .trailingBytes(expected: b.count, actual: b.count + 3))
    }
    @Test func wrongMagic() {
        var b = validImages; b[3] = 1  // a labels magic where images are expected
        expectProblem(write("magic", b), .wrongMagic(found: 0x801, expected: 0x803))
    }
    @Test func notGzip() { expectProblem(write("plain.gz", validImages), .notGzip) }
    @Test func truncatedGzip() throws {
        let gz = try gzip(validImages)
        expectProblem(write("cut.gz", Array(gz[0..<(gz.count / 2)])), .truncatedGzip)
    }
    @Test func corruptGzip() throws {
        var gz = try gzip(validImages)
        for i in 10..<min(gz.count - 8, 30) { gz[i] = 0xff }
        let path = write("bad.gz", gz)
        #expect(throws: DataFileError.self) { try IDXArray(contentsOf: path, expectedDimensions: 3) }
    }
    /// A gzip IDX is checked by its header before its body is inflated: a wrong magic in front
    /// of 64 MiB of zeros fails on the magic, and a valid header (2×28×28) followed by 64 MiB of
    /// zeros stops at what the header announces + 1 MiB (the limit in the message) rather than
    /// inflating to the 512 MiB guard. A small excess is still reported as trailing bytes.
    @Test func gzipHeaderIsCheckedBeforeTheBody() throws {
        let zeros = [UInt8](repeating: 0, count: 64 << 20)
        var wrongMagic = IDXArray.encode(dimensions: [2, 28, 28], bytes: [])
        wrongMagic[2] = 0x09
        expectProblem(write("magic.gz", try gzip(wrongMagic + zeros)), .wrongMagic(found: 0x0903, expected: 0x0803))
        let announced = 16 + 2 * 784
        expectProblem(write("bomb.gz", try gzip(validImages + zeros)), .tooLarge(limit: announced + (1 << 20)))
        expectProblem(write("extra.gz", try gzip(validImages + [1, 2, 3])), .trailingBytes(expected: announced, actual: announced + 3))
    }

    @Test func gzipRoundTripParses() throws {
        let gz = try gzip(validImages)
        let a = try IDXArray(contentsOf: write("ok.gz", gz), expectedDimensions: 3)
        #expect(a.dimensions == [2, 28, 28] && a.bytes.count == 2 * 784 && a.bytes.allSatisfy { $0 == 7 })
    }
    @Test func imageLabelCountMismatch() throws {
        let d = dir + "/mismatch"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: d + "/t10k-images-idx3-ubyte", contents: Data(validImages))
        _ = FileManager.default.createFile(atPath: d + "/t10k-labels-idx1-ubyte", contents: Data(IDXArray.encode(dimensions: [3], bytes: [1, 2, 3])))
        do {
            _ = try MNISTDataset.load(directory: d, split: .test)
            Issue.record("mismatch accepted")
        } catch let e as DataFileError {
            #expect(e.problem == .countMismatch(images: 2, labels: 3))
            #expect(e.description == d + "/t10k-labels-idx1-ubyte: image/label count mismatch: 2 images but 3 labels")
        }
    }
    @Test func wrongImageSize() throws {
        let d = dir + "/size"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: d + "/t10k-images-idx3-ubyte", contents: Data(IDXArray.encode(dimensions: [1, 27, 29], bytes: [UInt8](repeating: 0, count: 27 * 29))))
        _ = FileManager.default.createFile(atPath: d + "/t10k-labels-idx1-ubyte", contents: Data(IDXArray.encode(dimensions: [1], bytes: [1])))
        #expect(throws: DataFileError(path: d + "/t10k-images-idx3-ubyte", .badDimensions("images are 27×29, expected 28×28"))) {
            try MNISTDataset.load(directory: d, split: .test)
        }
    }
    @Test func labelOutOfRange() throws {
        #expect(throws: DataFileError.self) { try MNISTDataset(split: .test, pixelBytes: [UInt8](repeating: 0, count: 784), labels: [12]) }
    }
    @Test func hugeDimensionsRejectedWithoutAllocating() {
        let b = IDXArray.encode(dimensions: [0x7fff_ffff, 0x7fff_ffff, 28], bytes: [])
        expectProblem(write("huge", b), .badDimensions("2147483647×2147483647 is too large"))
    }
}
