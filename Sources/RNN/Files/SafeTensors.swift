import Foundation
import MNIST

/// A problem with a model, checkpoint or array file: one line naming the file.
public struct FileFormatError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let problem: String
    public init(path: String, _ problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(displayPath(path)): \(problem)" }
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

    /// Parses and validates a whole file (see `parseHeader`), then takes each tensor's bytes.
    public init(parsing bytes: [UInt8], path: String) throws {
        let layout = try SafeTensorsFile.parseHeader(prefix: bytes, fileSize: bytes.count, path: path)
        var tensors: [String: Tensor] = [:]
        for t in layout.tensors {
            tensors[t.name] = Tensor(dtype: t.dtype, shape: t.shape, bytes: Array(bytes[(layout.dataStart + t.begin)..<(layout.dataStart + t.end)]))
        }
        self.init(tensors: tensors, metadata: layout.metadata)
    }

    /// Reads `path` header first: the 8-byte length and the header are read and validated
    /// (bounded by `maximumHeaderBytes`) before the data section, which the validated tensors
    /// cover exactly, is read.
    public init(contentsOf path: String) throws {
        let file = try openInputFile(path)
        let prefix = try mapInputErrors(path) { try file.read(at: 0, count: min(file.size, 8)) }
        var headerBytes = prefix
        if prefix.count == 8 {
            let n = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
            if n <= UInt64(file.size - 8) && n <= UInt64(SafeTensorsFile.maximumHeaderBytes) {
                headerBytes = try mapInputErrors(path) { try file.read(at: 0, count: 8 + Int(n)) }
            }
        }
        let layout = try SafeTensorsFile.parseHeader(prefix: headerBytes, fileSize: file.size, path: path)
        try SafeTensorsFile.checkMemory(dataBytes: file.size - layout.dataStart, path: path)
        let data = try mapInputErrors(path) { try file.read(at: layout.dataStart, count: file.size - layout.dataStart) }
        guard data.count == file.size - layout.dataStart else { throw FileFormatError(path: path, "file changed while being read") }
        var tensors: [String: Tensor] = [:]
        for t in layout.tensors { tensors[t.name] = Tensor(dtype: t.dtype, shape: t.shape, bytes: Array(data[t.begin..<t.end])) }
        self.init(tensors: tensors, metadata: layout.metadata)
    }

    /// Refuses a data section whose loading would not fit this machine's memory (`available`):
    /// reading holds it twice (the section and the tensors taken from it) — a sparse file can
    /// declare any size its header likes, and its size on disk costs nothing.
    public static func checkMemory(dataBytes: Int, path: String, available: Double = MemoryBudget.physicalBytes) throws {
        if let problem = MemoryBudget.shortfall(2 * Double(dataBytes), available: available) {
            throw FileFormatError(path: path, "its \(MemoryBudget.text(Double(dataBytes))) of tensor data \(problem)")
        }
    }

    /// The header of a file of `fileSize` bytes whose first bytes are `prefix`, validated as
    /// `init(contentsOf:)` validates it before reading the data (header, then memory against
    /// `available`); returns the bytes loading it would allocate. For the declared-sizes fuzz
    /// target: nothing of the data is read or allocated.
    public static func plannedAllocation(prefix: [UInt8], fileSize: Int, path: String, available: Double) throws -> Int {
        let layout = try parseHeader(prefix: prefix, fileSize: fileSize, path: path)
        try checkMemory(dataBytes: fileSize - layout.dataStart, path: path, available: available)
        return 2 * (fileSize - layout.dataStart)
    }

    /// One tensor's entry in a header: offsets relative to the data section.
    struct TensorEntry { var name: String; var dtype: TensorDType; var shape: [Int]; var begin: Int; var end: Int }

    /// A validated header: where the data starts, the tensors and the metadata.
    struct Layout { var dataStart: Int; var tensors: [TensorEntry]; var metadata: [String: String] }

    /// Validates the header in `prefix` (the file's first bytes, at least its 8 + N header bytes
    /// when N is plausible) for a file of `fileSize` bytes, as the format's reference
    /// implementation does: header length within the file, valid JSON object, unique tensor
    /// names and metadata keys, known dtypes, shapes of non-negative integers (`10.0` is not
    /// one), offsets inside the data section matching the shapes' byte counts, and the tensors'
    /// data contiguous, non-overlapping and covering the data section exactly (no gaps, no
    /// trailing bytes); metadata values are strings.
    static func parseHeader(prefix bytes: [UInt8], fileSize: Int, path: String) throws -> Layout {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        guard fileSize > 0 else { throw fail("file is empty") }
        guard fileSize >= 8, bytes.count >= 8 else { throw fail("too short for a safetensors header (\(fileSize) bytes)") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(fileSize - 8) else {
            throw fail("safetensors header length \(n) exceeds the file size (\(fileSize) bytes)")
        }
        guard n <= UInt64(SafeTensorsFile.maximumHeaderBytes) else { throw fail("safetensors header length \(n) is implausibly large") }
        let headerEnd = 8 + Int(n)
        guard bytes.count >= headerEnd, let json = HeaderJSON.parse(bytes[8..<headerEnd]) else {
            throw fail("safetensors header is not valid JSON")
        }
        guard case let .object(top) = json else { throw fail("safetensors header is not a JSON object") }
        let dataSize = fileSize - headerEnd
        var tensors: [TensorEntry] = []
        var metadata: [String: String] = [:]
        var names = Set<String>()
        for (name, value) in top {
            guard names.insert(name).inserted else {
                throw fail(name == "__metadata__" ? "__metadata__ appears twice" : "tensor \(quotedForMessage(name)) appears twice in the header")
            }
            if name == "__metadata__" {
                guard case let .object(dict) = value else { throw fail("__metadata__ is not an object") }
                for (k, v) in dict {
                    guard case let .string(s) = v else { throw fail("metadata value for \(quotedForMessage(k)) is not a string") }
                    guard metadata[k] == nil else { throw fail("metadata key \(quotedForMessage(k)) appears twice") }
                    metadata[k] = s
                }
                continue
            }
            let shown = quotedForMessage(name)
            guard case let .object(fields) = value else { throw fail("tensor \(shown): entry is not an object") }
            var info: [String: HeaderJSON] = [:]
            for (k, v) in fields {
                guard info[k] == nil else { throw fail("tensor \(shown): field \(quotedForMessage(k)) appears twice") }
                info[k] = v
            }
            guard case let .string(dtypeName)? = info["dtype"] else { throw fail("tensor \(shown): missing dtype") }
            guard let dtype = TensorDType(rawValue: dtypeName) else {
                throw fail("tensor \(shown): unsupported dtype \(oneLineForMessage(dtypeName)) (ftle reads F32, F64, I64)")
            }
            guard case let .array(shapeItems)? = info["shape"] else { throw fail("tensor \(shown): shape is not a list of non-negative integers") }
            let shapeValues = shapeItems.map(\.integer)
            guard shapeValues.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw fail("tensor \(shown): shape is not a list of non-negative integers") }
            let shape = shapeValues.map { $0! }
            var count = 1
            for d in shape {
                let (p, o) = count.multipliedReportingOverflow(by: d)
                guard !o, p <= dataSize else { throw fail("tensor \(shown): shape \(shapeForMessage(shape)) is larger than the data section") }
                count = p
            }
            guard case let .array(offsets)? = info["data_offsets"], offsets.count == 2,
                  let begin = offsets[0].integer, let end = offsets[1].integer else {
                throw fail("tensor \(shown): data_offsets is not [begin, end]")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \(shown): data_offsets [\(begin), \(end)] out of range (data section is \(dataSize) bytes)")
            }
            guard end - begin == count * dtype.byteWidth else {
                throw fail("tensor \(shown): \(end - begin) bytes for shape \(shapeForMessage(shape)) of \(dtypeName) (expected \(count * dtype.byteWidth))")
            }
            tensors.append(TensorEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end))
        }
        let spans = tensors.sorted { $0.begin < $1.begin || ($0.begin == $1.begin && $0.end < $1.end) }
        var covered = 0
        for (i, t) in spans.enumerated() {
            if i > 0 && t.begin < spans[i - 1].end {
                throw fail("tensors \(quotedForMessage(spans[i - 1].name)) and \(quotedForMessage(t.name)) overlap")
            }
            if t.begin > covered {
                throw fail("\(t.begin - covered) bytes of the data section before tensor \(quotedForMessage(t.name)) belong to no tensor")
            }
            covered = t.end
        }
        if covered < dataSize { throw fail("\(dataSize - covered) bytes after the last tensor's data belong to no tensor") }
        return Layout(dataStart: headerEnd, tensors: tensors, metadata: metadata)
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

/// A shape for an error message: at most 8 dimensions, then "…" and the count.
public func shapeForMessage(_ shape: [Int]) -> String {
    guard shape.count > 8 else { return "\(shape)" }
    return "[" + shape.prefix(8).map(String.init).joined(separator: ", ") + ", … (\(shape.count) dimensions)]"
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
public func quotedForMessage(_ s: String) -> String { "\"" + oneLineForMessage(s) + "\"" }

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
