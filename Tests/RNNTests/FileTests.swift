import Foundation
import Linalg
import MNIST
import RNN
import Testing
import TestSupport

@Suite struct SafeTensorsTests {
    let dir = makeTemporaryDirectory("ftle-st")

    @Test(arguments: [false, true])
    func modelRoundTripIsExact(double: Bool) throws {
        let path = dir + "/m.safetensors"
        if double {
            let m = RNNModel<Double>(task: .permuted(seed: 3), hidden: 7, initialization: .orthogonal, seed: 5)
            try m.save(to: path)
            let back = try RNNModel<Double>.load(from: path)
            #expect(back.u == m.u && back.v == m.v && back.b == m.b && back.w == m.w && back.c == m.c && back.task == m.task)
            #expect(back.metadata.initialization == "orthogonal" && back.metadata.seed == 5)
        } else {
            let m = RNNModel<Float>(task: .rowwise, hidden: 9, initialization: .pytorch, seed: 6)
            try m.save(to: path)
            let back = try RNNModel<Float>.load(from: path)
            #expect(back == m)
        }
    }

    /// A file laid out exactly as `safetensors.torch.save_file(model.state_dict())` writes
    /// for `rnn = nn.RNN(28, 4)` and `fc = nn.Linear(4, 10)`: F32, row-major, two biases,
    /// no ftle metadata. b must come out as bias_ih + bias_hh and W[i, j] = fc.weight[i][j].
    @Test func readsPyTorchNamedFile() throws {
        let h = 4, i = 28
        func vals(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { Float($0) * scale - 0.5 } }
        let file = SafeTensorsFile(tensors: [
            "rnn.weight_ih_l0": Tensor(float32: vals(h * i, 0.001), shape: [h, i]),
            "rnn.weight_hh_l0": Tensor(float32: vals(h * h, 0.01), shape: [h, h]),
            "rnn.bias_ih_l0": Tensor(float32: [0.1, 0.2, 0.3, 0.4], shape: [h]),
            "rnn.bias_hh_l0": Tensor(float32: [1, 2, 3, 4], shape: [h]),
            "fc.weight": Tensor(float32: vals(10 * h, 0.02), shape: [10, h]),
            "fc.bias": Tensor(float32: vals(10, 0.1), shape: [10]),
        ], metadata: ["format": "pt"])
        let path = dir + "/torch.safetensors"
        try file.write(to: path)
        let m = try RNNModel<Double>.load(from: path)
        #expect(m.task == .rowwise && m.hidden == 4 && m.inputSize == 28)
        #expect(abs(m.b[2] - 3.3) < 1e-6)
        #expect(abs(m.v[1, 2] - Double(Float(1 * 4 + 2) * 0.01 - 0.5)) < 1e-7, "row-major V[1][2]")
        #expect(abs(m.w[9, 3] - Double(Float(9 * 4 + 3) * 0.02 - 0.5)) < 1e-7)
        #expect(m.metadata.extra["format"] == nil || m.metadata.extra["format"] == "pt")
    }

    func expectLoadError(_ bytes: [UInt8], _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = dir + "/bad-\(UInt32.random(in: 0...UInt32.max)).safetensors"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try RNNModel<Double>.load(from: path)
            Issue.record("loaded a bad file; expected “\(fragment)”", sourceLocation: sourceLocation)
        } catch let e as FileFormatError {
            #expect(e.description.hasPrefix(path + ": "), sourceLocation: sourceLocation)
            #expect(e.description.contains(fragment), "got: \(e.description)", sourceLocation: sourceLocation)
            #expect(!e.description.contains("\n"), sourceLocation: sourceLocation)
        } catch { Issue.record("unexpected \(error)", sourceLocation: sourceLocation) }
    }

    func raw(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        for k in 0..<8 { out.append(UInt8((UInt64(h.count) >> (8 * UInt64(k))) & 0xff)) }
        return out + h + data
    }

    var good: [UInt8] { RNNModel<Float>(task: .rowwise, hidden: 3, initialization: .pytorch, seed: 1).safeTensors().encoded() }

    @Test func malformedFiles() throws {
        expectLoadError([], "file is empty")
        expectLoadError([1, 2, 3], "too short")
        // A 2 GB header length in a small file.
        var huge = good; huge[0] = 0; huge[1] = 0; huge[2] = 0; huge[3] = 0x80
        expectLoadError(huge, "header length 2147483648 exceeds the file size")
        expectLoadError(raw(header: "{not json"), "not valid JSON")
        expectLoadError(raw(header: "[1,2]"), "not a JSON object")
        expectLoadError(raw(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}"#, data: [UInt8](repeating: 0, count: 8)), "out of range")
        expectLoadError(raw(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                            data: [UInt8](repeating: 0, count: 12)), "overlap")
        expectLoadError(raw(header: #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "expected 12")
        expectLoadError(raw(header: #"{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 4)), "unsupported dtype BF16")
    }

    @Test func wrongModelContents() throws {
        let m = RNNModel<Float>(task: .rowwise, hidden: 3, initialization: .pytorch, seed: 1)
        var f = m.safeTensors()
        f.tensors["fc.bias"] = nil
        expectLoadError(f.encoded(), "missing tensor \"fc.bias\"")
        f = m.safeTensors()
        f.tensors["rnn.weight_hh_l0"] = Tensor(float32: [Float](repeating: 0, count: 12), shape: [3, 4])
        expectLoadError(f.encoded(), "expected [H, H]")
        f = m.safeTensors()
        var w = m.w.rowMajor; w[4] = .nan
        f.tensors["fc.weight"] = Tensor(float32: w, shape: [10, 3])
        expectLoadError(f.encoded(), "contains NaN or Inf")
        // H does not match the task: a row-wise file claiming the permuted task.
        f = m.safeTensors()
        f.metadata["task"] = "permuted"
        expectLoadError(f.encoded(), "task is permuted but tensor \"task.permutation\" is missing")
        // Input size that fits no task.
        f = m.safeTensors()
        f.metadata["task"] = "pixelwise"
        expectLoadError(f.encoded(), "input size 28 does not fit the pixelwise task (expected 1)")
        f = m.safeTensors()
        f.metadata["hidden"] = "512"
        expectLoadError(f.encoded(), "metadata says hidden size 512")
    }
}

@Suite struct NPYTests {
    let dir = makeTemporaryDirectory("ftle-npy")

    @Test func roundTripBothWidths() throws {
        let a = NPYArray(shape: [3, 2], values: [1, -2.5, 3e-8, 4, .pi, 6])
        try a.write(to: dir + "/a.npy")
        #expect(try NPYArray(contentsOf: dir + "/a.npy") == a)
        try a.write(to: dir + "/b.npy", float32: true)
        let b = try NPYArray(contentsOf: dir + "/b.npy")
        #expect(b.shape == [3, 2] && b.descriptor == "<f4" && abs(b.values[4] - Double.pi) < 1e-6)
        // Header is padded so data starts at a multiple of 64 bytes, as NumPy requires.
        let bytes = a.encoded()
        let headerLen = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect((10 + headerLen) % 64 == 0 && bytes[10 + headerLen - 1] == 0x0a)
    }

    func fileWith(descr: String, fortran: Bool = false, shape: String, data: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(shape), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        let n = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xff), UInt8(n >> 8)] + Array(header.utf8) + data
    }

    @Test func fortranOrderIsReordered() throws {
        // Column-major [[1, 2, 3], [4, 5, 6]] is stored 1 4 2 5 3 6.
        var data = [UInt8]()
        for v in [1.0, 4, 2, 5, 3, 6] { withUnsafeBytes(of: v.bitPattern.littleEndian) { data += $0 } }
        let a = try NPYArray(parsing: fileWith(descr: "<f8", fortran: true, shape: "(2, 3)", data: data), path: "f.npy")
        #expect(a.values == [1, 2, 3, 4, 5, 6])
    }

    @Test func badFiles() {
        func expectError(_ b: [UInt8], _ fragment: String) {
            do { _ = try NPYArray(parsing: b, path: "x.npy"); Issue.record("parsed; expected \(fragment)") } catch let e as FileFormatError {
                #expect(e.description.contains(fragment), "got \(e.description)")
            } catch { Issue.record("\(error)") }
        }
        expectError([], "empty")
        expectError(Array("hello world!".utf8), "not a .npy file")
        expectError(fileWith(descr: "<i4", shape: "(2,)", data: [0, 0, 0, 0, 0, 0, 0, 0]), "unsupported .npy dtype '<i4'")
        expectError(fileWith(descr: ">f8", shape: "(1,)", data: [UInt8](repeating: 0, count: 8)), "unsupported .npy dtype '>f8'")
        expectError(fileWith(descr: "<f8", shape: "(3,)", data: [UInt8](repeating: 0, count: 16)), "truncated .npy data")
        expectError(fileWith(descr: "<f8", shape: "(1,)", data: [UInt8](repeating: 0, count: 16)), "trailing bytes")
        expectError(fileWith(descr: "<f8", shape: "(a, b)", data: []), "malformed 'shape'")
        expectError(fileWith(descr: "<f8", shape: "(99999999999, 99999999999)", data: []), "larger than the file")
    }
}

@Suite struct AtomicWriteTests {
    @Test func unwritableFolderLeavesNothingAndNamesThePath() throws {
        let dir = makeTemporaryDirectory("ftle-atomic")
        let target = dir + "/keep.txt"
        try writeFileAtomically(target, text: "old")
        chmod(dir, 0o500)
        defer { chmod(dir, 0o700) }
        if getuid() == 0 { return }  // root ignores permissions; the folder-missing case below still runs
        #expect(throws: OutputFileError.self) { try writeFileAtomically(target, text: "new") }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "old")
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: OutputFileError(path: "/nonexistent-ftle/x.json", reason: "folder /nonexistent-ftle does not exist")) {
            try writeFileAtomically("/nonexistent-ftle/x.json", text: "x")
        }
    }

    @Test func replaceKeepsNoTemporaries() throws {
        let dir = makeTemporaryDirectory("ftle-atomic2")
        for k in 0..<5 { try writeFileAtomically(dir + "/f.bin", [UInt8](repeating: UInt8(k), count: 1000)) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f.bin"])
        #expect(FileManager.default.contents(atPath: dir + "/f.bin") == Data(repeating: 4, count: 1000))
    }
}
