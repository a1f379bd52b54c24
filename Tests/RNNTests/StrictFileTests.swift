import Foundation
import Linalg
import MNIST
@testable import RNN
import TestSupport
import Testing

/// Strict safetensors, finiteness in the working precision, .npy overflow and the header JSON.
@Suite struct StrictFileTests {
    let dir = makeTemporaryDirectory("ftle-strict")

    func raw(header: String, data: [UInt8] = []) -> [UInt8] {
        let h = Array(header.utf8)
        return (0..<8).map { UInt8((UInt64(h.count) >> (8 * UInt64($0))) & 0xff) } + h + data
    }

    func parseError(_ bytes: [UInt8]) -> String {
        do { _ = try SafeTensorsFile(parsing: bytes, path: "m"); return "parsed" } catch { return "\(error)" }
    }

    /// The same error whether the file is parsed from memory or read header first from disk.
    func fileError(_ bytes: [UInt8]) -> String {
        let path = dir + "/f-\(UInt32.random(in: 0...UInt32.max)).safetensors"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do { _ = try SafeTensorsFile(contentsOf: path); return "parsed" } catch let e as FileFormatError { return "m: " + e.problem } catch {
            return "\(error)"
        }
    }

    @Test func followsTheFormatStrictly() {
        let f4 = #""dtype":"F32","shape":[2]"#
        let cases: [(String, [UInt8], String)] = [
            ("duplicate name", raw(header: #"{"a":{\#(f4),"data_offsets":[0,8]},"a":{\#(f4),"data_offsets":[8,16]}}"#, data: .init(repeating: 0, count: 16)),
             "m: tensor \"a\" appears twice in the header"),
            ("gap", raw(header: #"{"a":{\#(f4),"data_offsets":[0,8]},"b":{\#(f4),"data_offsets":[12,20]}}"#, data: .init(repeating: 0, count: 20)),
             "m: 4 bytes of the data section before tensor \"b\" belong to no tensor"),
            ("leading gap", raw(header: #"{"a":{\#(f4),"data_offsets":[4,12]}}"#, data: .init(repeating: 0, count: 12)),
             "m: 4 bytes of the data section before tensor \"a\" belong to no tensor"),
            ("trailing bytes", raw(header: #"{"a":{\#(f4),"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 11)),
             "m: 3 bytes after the last tensor's data belong to no tensor"),
            ("float shape", raw(header: #"{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: .init(repeating: 0, count: 8)),
             "m: tensor \"a\": shape is not a list of non-negative integers"),
            ("exponent offset", raw(header: #"{"a":{\#(f4),"data_offsets":[0,8e0]}}"#, data: .init(repeating: 0, count: 8)),
             "m: tensor \"a\": data_offsets is not [begin, end]"),
            ("duplicate metadata key", raw(header: #"{"__metadata__":{"k":"1","k":"2"}}"#), "m: metadata key \"k\" appears twice"),
            ("trailing garbage after the JSON", raw(header: #"{} x"#), "m: safetensors header is not valid JSON"),
            ("deep nesting", raw(header: String(repeating: "[", count: 100_000)), "m: safetensors header is not valid JSON"),
        ]
        for (name, bytes, expected) in cases {
            #expect(parseError(bytes) == expected, "\(name)")
            #expect(fileError(bytes) == expected, "\(name), from disk")
        }
        // Contiguous, in any order of the header, with trailing header spaces: accepted.
        let ok = raw(header: #"{"b":{\#(f4),"data_offsets":[8,16]},"a":{\#(f4),"data_offsets":[0,8]}}   "#, data: .init(repeating: 0, count: 16))
        #expect(parseError(ok) == "parsed")
    }

    @Test func headerJSONParsesWhatFoundationParses() throws {
        let texts = [#"{"a\u00e9\ud83d\ude00":[1,-2.5e3,true,false,null,"x\n\"y"]}"#, "  [ ]  ", #""\/""#, "0", "-0.0e+1"]
        for text in texts {
            let mine = try #require(HeaderJSON.parse(ArraySlice(text.utf8)), "\(text)")
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
            func same(_ a: HeaderJSON, _ b: Any) -> Bool {
                switch a {
                case let .object(m): guard let d = b as? [String: Any], d.count == m.count else { return false }
                    return m.allSatisfy { member in d[member.key].map { same(member.value, $0) } ?? false }
                case let .array(x): guard let y = b as? [Any], x.count == y.count else { return false }
                    return zip(x, y).allSatisfy(same)
                case let .string(s): return (b as? String) == s
                case let .number(n): return (b as? NSNumber)?.doubleValue == Double(n)
                case let .bool(v): return (b as? NSNumber)?.boolValue == v && String(cString: (b as! NSNumber).objCType) == "c"
                case .null: return b is NSNull
                }
            }
            #expect(same(mine, theirs), "\(text)")
        }
        for bad in ["{", "[1,]", "01", "1.", #""\x""#, #""\ud800""#, "\"\u{1}\"", "{\"a\" 1}", "tru"] {
            #expect(HeaderJSON.parse(ArraySlice(bad.utf8)) == nil, "\(bad)")
        }
        #expect(HeaderJSON.number("10.0").integer == nil)
        #expect(HeaderJSON.number("10").integer == 10)
    }

    /// Weights finite in Float64 but not in Float32, and a bias pair whose sum overflows.
    @Test func finiteInTheWorkingPrecision() throws {
        var file = RNNModel<Float>(task: .rowwise, hidden: 3, initialization: .pytorch, seed: 1).safeTensors()
        var v = file.tensors[TensorName.recurrentWeights]!.doubles
        v[4] = 1e300
        file.tensors[TensorName.recurrentWeights] = Tensor(float64: v, shape: [3, 3])
        #expect(throws: FileFormatError(path: "m", "tensor \"rnn.weight_hh_l0\" has a value beyond ±3.4028235e+38, which overflows Float32")) {
            try RNNModel<Float>(file: file, path: "m")
        }
        // Finite in Float64, but beyond the ±1e6 any model may hold (issue 30, W2).
        #expect(throws: FileFormatError(path: "m", "tensor \"rnn.weight_hh_l0\" holds a value of magnitude 1e+300, beyond ±1e6: the logits' differences would be lost in rounding")) {
            try RNNModel<Double>(file: file, path: "m")
        }
        file = RNNModel<Float>(task: .rowwise, hidden: 3, initialization: .pytorch, seed: 1).safeTensors()
        file.tensors[TensorName.inputBias] = Tensor(float32: [3e38, 0, 0], shape: [3])
        file.tensors[TensorName.recurrentBias] = Tensor(float32: [3e38, 0, 0], shape: [3])
        #expect(throws: FileFormatError(path: "m", "the bias sum \"rnn.bias_ih_l0\" + \"rnn.bias_hh_l0\" has a value beyond ±3.4028235e+38, which overflows Float32")) {
            try RNNModel<Float>(file: file, path: "m")
        }
        // A permutation on a row-wise model.
        file = RNNModel<Float>(task: .rowwise, hidden: 3, initialization: .pytorch, seed: 1).safeTensors()
        file.tensors[TensorName.permutation] = Tensor(int64: (0..<784).map(Int64.init), shape: [784])
        #expect(throws: FileFormatError(path: "m", "tensor \"task.permutation\" belongs to permuted models only, but this is a rowwise model")) {
            try RNNModel<Float>(file: file, path: "m")
        }
    }

    @Test func npyValuesMustFitFloat32() throws {
        let a = NPYArray(shape: [3], values: [0, 1e39, 2])
        #expect(throws: FileFormatError(path: "x.npy", "array value 1e+39 at index 1 overflows Float32 (largest ±3.4028235e+38)")) {
            try a.finiteFloat32Values(path: "x.npy")
        }
        #expect(try NPYArray(shape: [2], values: [1, -3e38]).finiteFloat32Values(path: "x") == [1, -3e38])
        // A shape of 100 000 dimensions gives a short message.
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + String(repeating: "2, ", count: 100_000) + "), }"
        header += "\n"
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [2, 0] + (0..<4).map { UInt8((header.utf8.count >> (8 * $0)) & 0xff) } + Array(header.utf8)
        do { _ = try NPYArray(parsing: bytes, path: "big.npy"); Issue.record("parsed") } catch {
            #expect("\(error)".count < 200, "\("\(error)".prefix(300))")
            #expect("\(error)".hasSuffix("(100000 dimensions)] is larger than the file"))
        }
    }

    @Test func pathsWithControlCharactersAreQuoted() {
        #expect(FileFormatError(path: "a\nb\u{1b}[31m", "file is empty").description == "\"a\\nb\\u{1b}[31m\": file is empty")
        #expect(FileFormatError(path: "/plain/path é", "x").description == "/plain/path é: x")
    }
}
