import Foundation

/// A problem with a model, checkpoint or array file: one line naming the file.
public struct FileFormatError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String
    public init(path: String, _ problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(path): \(problem)" }
}

/// Element types of the tensors ftle reads and writes.
public enum TensorDType: String, Sendable, CaseIterable {
    case f32 = "F32", f64 = "F64", i64 = "I64"
    public var byteWidth: Int { self == .f32 ? 4 : 8 }
}

/// One tensor: dtype, shape (row-major, C order, as PyTorch stores it) and raw little-endian bytes.
public struct Tensor: Sendable, Equatable {
    public let dtype: TensorDType
    public let shape: [Int]
    public let bytes: [UInt8]

    public var count: Int { shape.reduce(1, *) }

    public init(dtype: TensorDType, shape: [Int], bytes: [UInt8]) {
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteWidth, "tensor byte count does not match shape")
        self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    public init(float32 values: [Float], shape: [Int]) {
        var out = [UInt8](); out.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        self.init(dtype: .f32, shape: shape, bytes: out)
    }

    public init(float64 values: [Double], shape: [Int]) {
        var out = [UInt8](); out.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        self.init(dtype: .f64, shape: shape, bytes: out)
    }

    public init(int64 values: [Int64], shape: [Int]) {
        var out = [UInt8](); out.reserveCapacity(values.count * 8)
        for v in values { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        self.init(dtype: .i64, shape: shape, bytes: out)
    }

    /// Values as Double (F32/F64; I64 converted), in row-major order.
    public var doubles: [Double] {
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case .f32: return (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))) }
            case .f64: return (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
            case .i64: return (0..<count).map { Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
            }
        }
    }

    /// Values as Int64 (I64 only).
    public var int64s: [Int64] {
        precondition(dtype == .i64)
        return bytes.withUnsafeBytes { raw in (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) } }
    }
}

/// The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
/// (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}`),
/// then the data; offsets are relative to the data section.
public struct SafeTensorsFile: Sendable, Equatable {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors; self.metadata = metadata
    }

    /// Largest header accepted (a guard against a corrupt or hostile length field).
    public static let maximumHeaderBytes = 100 << 20

    /// Parses and validates a whole file: header length within the file, valid JSON, known
    /// dtypes, non-negative shapes, offsets inside the data section, byte counts matching
    /// shapes, no overlapping tensors, string-valued metadata.
    public init(parsing bytes: [UInt8], path: String) throws {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        guard !bytes.isEmpty else { throw fail("file is empty") }
        guard bytes.count >= 8 else { throw fail("too short for a safetensors header (\(bytes.count) bytes)") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw fail("safetensors header length \(n) exceeds the file size (\(bytes.count) bytes)")
        }
        guard n <= UInt64(SafeTensorsFile.maximumHeaderBytes) else { throw fail("safetensors header length \(n) is implausibly large") }
        let headerEnd = 8 + Int(n)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) } catch {
            throw fail("safetensors header is not valid JSON")
        }
        guard let top = json as? [String: Any] else { throw fail("safetensors header is not a JSON object") }
        let dataSize = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var spans: [(Int, Int, String)] = []
        for (name, value) in top {
            if name == "__metadata__" {
                guard let dict = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in dict {
                    guard let s = v as? String else { throw fail("metadata value for \(quotedForMessage(k)) is not a string") }
                    metadata[k] = s
                }
                continue
            }
            let shown = quotedForMessage(name)
            guard let info = value as? [String: Any] else { throw fail("tensor \(shown): entry is not an object") }
            guard let dtypeName = info["dtype"] as? String else { throw fail("tensor \(shown): missing dtype") }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw fail("tensor \(shown): unsupported dtype \(oneLineForMessage(dtypeName)) (ftle reads F32, F64, I64)")
            }
            guard let shapeAny = info["shape"] as? [Any], let shape = shapeAny.map(jsonInteger) as? [Int],
                  shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(shown): shape is not a list of non-negative integers") }
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o, p <= dataSize else { throw fail("tensor \(shown): shape \(shape) is larger than the data section") }
                count = p
            }
            guard let offAny = info["data_offsets"] as? [Any], offAny.count == 2,
                  let begin = jsonInteger(offAny[0]), let end = jsonInteger(offAny[1]) else {
                throw fail("tensor \(shown): data_offsets is not [begin, end]")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \(shown): data_offsets [\(begin), \(end)] out of range (data section is \(dataSize) bytes)")
            }
            guard end - begin == count * dtype.byteWidth else {
                throw fail("tensor \(shown): \(end - begin) bytes for shape \(shape) of \(dtypeName) (expected \(count * dtype.byteWidth))")
            }
            spans.append((begin, end, name))
            tensors[name] = Tensor(dtype: dtype, shape: shape, bytes: Array(bytes[(headerEnd + begin)..<(headerEnd + end)]))
        }
        spans.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        for i in spans.indices.dropFirst() where spans[i].0 < spans[i - 1].1 {
            throw fail("tensors \(quotedForMessage(spans[i - 1].2)) and \(quotedForMessage(spans[i].2)) overlap")
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads and parses `path` (see `init(parsing:path:)`).
    public init(contentsOf path: String) throws {
        try self.init(parsing: readInputFile(path), path: path)
    }

    /// The file's bytes: tensors in name order, header padded with spaces to a multiple of 8.
    public func encoded() -> [UInt8] {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let kv = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            parts.append("\"__metadata__\":{\(kv.joined(separator: ","))}")
        }
        var offset = 0
        var data = [UInt8]()
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let shape = t.shape.map(String.init).joined(separator: ",")
            parts.append("\(jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + t.bytes.count)]}")
            offset += t.bytes.count
            data += t.bytes
        }
        header += parts.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        let n = UInt64(headerBytes.count)
        for i in 0..<8 { out.append(UInt8((n >> (8 * UInt64(i))) & 0xff)) }
        return out + headerBytes + data
    }

    /// Writes atomically (see `writeFileAtomically`).
    public func write(to path: String) throws { try writeFileAtomically(path, encoded()) }
}

/// A JSON number that is an exact integer, else nil (booleans are not integers).
func jsonInteger(_ any: Any) -> Int? {
    guard let n = any as? NSNumber else { return nil }
    // JSON booleans arrive as NSNumber too; their type code is "c".
    if String(cString: n.objCType) == "c" { return nil }
    let d = n.doubleValue
    guard d.rounded() == d, abs(d) < 9.0e15 else { return nil }
    return n.intValue
}

/// Text from a file made safe for a one-line error message: line breaks and other control
/// characters are escaped (`\n`, `\u{1b}`), and text longer than `limit` characters is cut
/// with "…". Ordinary names come out unchanged.
func oneLineForMessage(_ s: String, limit: Int = 64) -> String {
    var out = ""
    var n = 0
    for u in s.unicodeScalars {
        if n == limit { out += "…"; break }
        n += 1
        switch u.value {
        case 0x0a: out += "\\n"
        case 0x0d: out += "\\r"
        case 0x09: out += "\\t"
        case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029: out += "\\u{\(String(u.value, radix: 16))}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// `oneLineForMessage(s)` in double quotes.
func quotedForMessage(_ s: String) -> String { "\"" + oneLineForMessage(s) + "\"" }

/// A JSON string literal with the required escapes.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}
