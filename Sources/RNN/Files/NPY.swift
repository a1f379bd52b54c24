import Foundation
import MNIST

/// A NumPy `.npy` array of reals: shape and values in C (row-major) order.
///
/// Reads format versions 1.0, 2.0 and 3.0 with dtype '<f4', '<f8' or '<i8', C or Fortran
/// order (Fortran input is reordered to C order). Writes version 1.0, '<f8', '<f4' or '<i8', C
/// order, header padded to a multiple of 64 bytes as NumPy does (whole, or header and data
/// piece by piece for arrays too large to hold: `encodedHeader`, `appendEncoded`).
public struct NPYArray: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Double]
    /// The dtype descriptor read from the file ('<f8' for arrays made in memory).
    public var descriptor: String

    public init(shape: [Int], values: [Double], descriptor: String = "<f8") {
        precondition(shape.reduce(1, *) == values.count, "shape does not match value count")
        self.shape = shape; self.values = values; self.descriptor = descriptor
    }

    /// The values in Float32, the precision sequences are fed in: every value must be finite
    /// and stay finite when rounded to Float32 (1e39 does not), else a one-line error naming
    /// `path` and the first offending value.
    public func finiteFloat32Values(path: String) throws -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for (k, x) in values.enumerated() {
            let f = Float(x)
            guard f.isFinite else {
                throw FileFormatError(path: path, x.isFinite ? "array value \(x) at index \(k) overflows Float32 (largest ±\(Float.greatestFiniteMagnitude))"
                                                            : "array contains NaN or Inf")
            }
            out[k] = f
        }
        return out
    }

    /// Reads `path` header first: the header is read and its shape checked against the file's
    /// size and this machine's memory before the data is read (a sparse file can declare any
    /// shape). Then the whole file is parsed as `init(parsing:path:)` does.
    public init(contentsOf path: String) throws {
        let file = try openInputFile(path)
        let head = try mapInputErrors(path) { try file.read(at: 0, count: min(file.size, 12)) }
        var prefix = head
        if head.count >= 10, head[0] == 0x93 {
            let length = head[6] == 1 ? Int(head[8]) | Int(head[9]) << 8
                : head.count >= 12 ? Int(head[8]) | Int(head[9]) << 8 | Int(head[10]) << 16 | Int(head[11]) << 24 : 0
            let end = (head[6] == 1 ? 10 : 12) + length
            if end <= file.size { prefix = try mapInputErrors(path) { try file.read(at: 0, count: end) } }
        }
        _ = try NPYArray.header(prefix, fileSize: file.size, path: path, available: MemoryBudget.physicalBytes)
        try self.init(parsing: mapInputErrors(path) { try file.readAll() }, path: path)
    }

    /// What a validated header announces: shape, dtype, order, where the data starts and its width.
    public struct Header: Sendable, Equatable {
        public var shape: [Int]
        public var descriptor: String
        public var fortranOrder: Bool
        public var dataStart: Int
        public var width: Int
        /// The values ∏ shape.
        public var count: Int
        /// What loading allocates: the file's bytes and the values as Double.
        public var plannedBytes: Double
    }

    /// Validates the header in `b` (the file's first bytes, the whole header when it fits the
    /// file) for a file of `fileSize` bytes: magic, version, header text, dtype, shape, the
    /// data's size exactly the rest of the file, and the memory loading needs against
    /// `available` (the file's bytes and 8 bytes a value). Reads nothing beyond `b`.
    public static func header(_ b: [UInt8], fileSize: Int, path: String, available: Double) throws -> Header {
        func fail(_ s: String) -> FileFormatError { FileFormatError(path: path, s) }
        guard fileSize > 0 else { throw fail("file is empty") }
        guard b.count >= 10, b[0] == 0x93, Array(b[1..<6]) == Array("NUMPY".utf8) else { throw fail("not a .npy file (missing \\x93NUMPY magic)") }
        let major = b[6]
        let headerLength: Int, start: Int
        switch major {
        case 1:
            headerLength = Int(b[8]) | Int(b[9]) << 8; start = 10
        case 2, 3:
            guard b.count >= 12 else { throw fail("truncated .npy header") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24; start = 12
        default: throw fail("unsupported .npy format version \(major).\(b[7])")
        }
        guard start + headerLength <= fileSize, start + headerLength <= b.count else {
            throw fail("truncated .npy header (\(headerLength) bytes announced)")
        }
        guard let header = String(bytes: b[start..<(start + headerLength)], encoding: major == 3 ? .utf8 : .ascii) else {
            throw fail(".npy header is not text")
        }
        guard let descr = NPYArray.field(header, "descr").flatMap(NPYArray.quoted) else { throw fail(".npy header has no 'descr'") }
        guard let fortranText = NPYArray.field(header, "fortran_order") else { throw fail(".npy header has no 'fortran_order'") }
        let fortran: Bool
        if fortranText.hasPrefix("True") { fortran = true } else if fortranText.hasPrefix("False") { fortran = false } else {
            throw fail(".npy header has a malformed 'fortran_order'")
        }
        guard let shapeText = NPYArray.field(header, "shape"), let shape = NPYArray.tuple(shapeText) else {
            throw fail(".npy header has a malformed 'shape'")
        }
        let width: Int
        switch descr {
        case "<f4": width = 4
        case "<f8", "<i8": width = 8
        default: throw fail("unsupported .npy dtype '\(oneLineForMessage(descr))' (ftle reads '<f4', '<f8', '<i8')")
        }
        let dataStart = start + headerLength
        // A zero dimension makes an empty array (NumPy writes one with no data bytes), whatever the others are.
        var count = shape.contains(0) ? 0 : 1
        for d in shape where count != 0 {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            // Bounded by the data section (not the whole file), so the byte count below cannot overflow.
            guard !o, p <= fileSize - dataStart else { throw fail(".npy shape \(shapeForMessage(shape)) is larger than the file") }
            count = p
        }
        let expected = dataStart + count * width
        guard fileSize >= expected else { throw fail("truncated .npy data: \(fileSize) bytes, expected \(expected)") }
        guard fileSize == expected else { throw fail("\(fileSize - expected) unexpected trailing bytes after the .npy data") }
        let planned = Double(fileSize) + 8 * Double(count)
        if let problem = MemoryBudget.shortfall(planned, available: available) {
            throw fail(".npy shape \(shapeForMessage(shape)) of \(descr) \(problem)")
        }
        return Header(shape: shape, descriptor: descr, fortranOrder: fortran, dataStart: dataStart, width: width, count: count,
                      plannedBytes: planned)
    }

    public init(parsing b: [UInt8], path: String) throws {
        let h = try NPYArray.header(b, fileSize: b.count, path: path, available: .infinity)
        let (count, width, dataStart, descr) = (h.count, h.width, h.dataStart, h.descriptor)
        var values = [Double](repeating: 0, count: count)
        b.withUnsafeBytes { raw in
            for k in 0..<count {
                let o = dataStart + k * width
                switch descr {
                case "<f4": values[k] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
                case "<f8": values[k] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                default: values[k] = Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int64.self)))
                }
            }
        }
        if h.fortranOrder && h.shape.count > 1 { values = NPYArray.fortranToC(values, h.shape) }
        self.init(shape: h.shape, values: values, descriptor: descr)
    }

    /// The file bytes (version 1.0, C order) with dtype '<f8' or, when `float32`, '<f4'.
    public func encoded(float32: Bool = false) -> [UInt8] { encoded(descriptor: float32 ? "<f4" : "<f8") }

    /// The file bytes (version 1.0, C order) with dtype `descriptor`: '<f8', '<f4' or '<i8'
    /// (every value then an integer in Int64's range).
    public func encoded(descriptor: String) -> [UInt8] {
        var out = NPYArray.encodedHeader(shape: shape, descriptor: descriptor)
        NPYArray.appendEncoded(values, descriptor: descriptor, to: &out)
        return out
    }

    /// The magic, version 1.0 and header of a C-order array of `shape` and dtype `descriptor`,
    /// padded with spaces and a newline to a multiple of 64 bytes; the data follows it.
    public static func encodedHeader(shape: [Int], descriptor: String) -> [UInt8] {
        precondition(["<f8", "<f4", "<i8"].contains(descriptor), "ftle writes '<f8', '<f4' or '<i8'")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descriptor)', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        let n = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(n & 0xff), UInt8(n >> 8)] + Array(header.utf8)
    }

    /// Appends `values` to `out` as little-endian data of dtype `descriptor` ('<f8', '<f4', or
    /// '<i8' for values that are integers in Int64's range).
    public static func appendEncoded(_ values: [Double], descriptor: String, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + values.count * (descriptor == "<f4" ? 4 : 8))
        switch descriptor {
        case "<f4": for v in values { withUnsafeBytes(of: Float(v).bitPattern.littleEndian) { out += $0 } }
        case "<i8":
            for v in values {
                guard let i = Int64(exactly: v) else { preconditionFailure("'<i8' value \(v) is not an integer in Int64's range") }
                withUnsafeBytes(of: i.littleEndian) { out += $0 }
            }
        default: for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        }
    }

    public func write(to path: String, float32: Bool = false) throws { try writeFileAtomically(path, encoded(float32: float32)) }

    // The text after `'key':` in a Python dict literal.
    static func field(_ header: String, _ key: String) -> String? {
        for quote in ["'", "\""] {
            if let r = header.range(of: "\(quote)\(key)\(quote)") {
                var rest = header[r.upperBound...].drop { $0 == " " }
                guard rest.first == ":" else { continue }
                rest = rest.dropFirst().drop { $0 == " " }
                return String(rest)
            }
        }
        return nil
    }

    static func quoted(_ s: String) -> String? {
        guard let q = s.first, q == "'" || q == "\"" else { return nil }
        let body = s.dropFirst()
        guard let end = body.firstIndex(of: q) else { return nil }
        return String(body[..<end])
    }

    static func tuple(_ s: String) -> [Int]? {
        guard s.first == "(", let end = s.firstIndex(of: ")") else { return nil }
        let inner = s[s.index(after: s.startIndex)..<end]
        let parts = inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let dims = parts.map { Int($0) }
        guard dims.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
        return dims.map { $0! }
    }

    static func fortranToC(_ v: [Double], _ shape: [Int]) -> [Double] {
        var out = v
        let n = shape.count
        var idx = [Int](repeating: 0, count: n)
        for k in 0..<v.count {
            // k enumerates Fortran order: first index fastest.
            var cOff = 0
            for d in 0..<n { cOff = cOff * shape[d] + idx[d] }
            out[cOff] = v[k]
            var d = 0
            while d < n { idx[d] += 1; if idx[d] < shape[d] { break }; idx[d] = 0; d += 1 }
        }
        return out
    }
}
