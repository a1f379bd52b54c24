/// An IDX file of unsigned bytes (the MNIST format): a 4-byte big-endian magic
/// 0x000008NN (0x08 = ubyte, NN = number of dimensions), NN big-endian UInt32 dimensions,
/// then the data, row-major.
public struct IDXArray: Equatable, Sendable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    /// Parses `data` (already decompressed) read from `path`, validating the magic number
    /// against `expectedDimensions` and the length against the dimensions: exactly
    /// header + ∏ dims bytes, neither fewer (truncated) nor more (trailing bytes).
    public init(parsing data: [UInt8], path: String, expectedDimensions: Int) throws {
        let (dims, header, _) = try IDXArray.checkHeader(data, fileSize: data.count, path: path, expectedDimensions: expectedDimensions)
        self.dimensions = dims
        self.bytes = Array(data[header...])
    }

    /// Checks the magic number and dimensions in the first bytes of an IDX file against the
    /// length of the whole (`fileSize`): exactly header + ∏ dims. Returns the dimensions and the
    /// header length. Needs only the header, so a raw file's body is read after this passes.
    /// `fileSize` nil: the length is not known yet (a gzip file's header, inflated alone), so
    /// only the magic and dimensions are checked; `expected` is the length they announce.
    /// The bytes the dimensions announce must also fit `available` memory (the machine's).
    public static func checkHeader(_ data: [UInt8], fileSize knownSize: Int?, path: String, expectedDimensions: Int,
                                   available: Double = MemoryBudget.physicalBytes) throws -> (dims: [Int], header: Int, expected: Int) {
        let fileSize = knownSize ?? data.count
        let expectedMagic = UInt32(0x0800) | UInt32(expectedDimensions)
        guard fileSize > 0 else { throw DataFileError(path: path, .empty) }
        guard data.count >= 4 else { throw DataFileError(path: path, .truncated(expected: 4, actual: fileSize)) }
        let magic = IDXArray.bigEndian(data, 0)
        guard magic == expectedMagic else { throw DataFileError(path: path, .wrongMagic(found: magic, expected: expectedMagic)) }
        let header = 4 + 4 * expectedDimensions
        guard data.count >= header else { throw DataFileError(path: path, .truncated(expected: header, actual: fileSize)) }
        var dims: [Int] = []
        var total = 1
        for d in 0..<expectedDimensions {
            let n = Int(IDXArray.bigEndian(data, 4 + 4 * d))
            dims.append(n)
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow, product <= Int(Int32.max) else {
                throw DataFileError(path: path, .badDimensions("\(dims.map(String.init).joined(separator: "×")) is too large"))
            }
            total = product
        }
        let expected = header + total
        if let problem = MemoryBudget.shortfall(Double(expected), available: available) {
            throw DataFileError(path: path, .badDimensions("\(dims.map(String.init).joined(separator: "×")) \(problem)"))
        }
        guard knownSize != nil else { return (dims, header, expected) }
        if fileSize < expected { throw DataFileError(path: path, .truncated(expected: expected, actual: fileSize)) }
        if fileSize > expected { throw DataFileError(path: path, .trailingBytes(expected: expected, actual: fileSize)) }
        return (dims, header, expected)
    }

    /// Reads and parses an IDX file, gzip or raw. A raw file's header is checked against its
    /// size before its body is read. A gzip file's header is inflated and checked first (magic,
    /// dimensions), and the rest is inflated only up to what the header announces plus 1 MiB
    /// (so a small excess is still reported exactly as trailing bytes, and a gzip bomb behind a
    /// valid header stops there instead of at the 512 MiB limit).
    public init(contentsOf path: String, expectedDimensions: Int) throws {
        let file = try InputFile(path)
        let isGzip = try file.size >= 2 && file.read(at: 0, count: 2) == [0x1f, 0x8b]
        guard isGzip else {
            if file.size >= 2, !path.hasSuffix(".gz") {
                let head = try file.read(at: 0, count: min(file.size, 4 + 4 * expectedDimensions))
                _ = try IDXArray.checkHeader(head, fileSize: file.size, path: path, expectedDimensions: expectedDimensions)
            }
            try self.init(parsing: readFileBytes(path), path: path, expectedDimensions: expectedDimensions)
            return
        }
        let compressed = try file.readAll()
        let headerLength = 4 + 4 * expectedDimensions
        let head = try gunzip(compressed, path: path, prefix: headerLength)
        guard head.count == headerLength else {
            // The whole stream is shorter than a header: parsing says what is wrong with it.
            try self.init(parsing: try gunzip(compressed, path: path), path: path, expectedDimensions: expectedDimensions)
            return
        }
        let announced = try IDXArray.checkHeader(head, fileSize: nil, path: path, expectedDimensions: expectedDimensions).expected
        let limit = min(512 << 20, announced + (1 << 20))
        try self.init(parsing: gunzip(compressed, path: path, limit: limit), path: path, expectedDimensions: expectedDimensions)
    }

    static func bigEndian(_ d: [UInt8], _ o: Int) -> UInt32 {
        UInt32(d[o]) << 24 | UInt32(d[o + 1]) << 16 | UInt32(d[o + 2]) << 8 | UInt32(d[o + 3])
    }

    /// Encodes dimensions and bytes as an IDX file (used by tests and fixtures).
    public static func encode(dimensions: [Int], bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(dimensions.count)]
        for d in dimensions {
            let v = UInt32(d)
            out += [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
        }
        return out + bytes
    }
}
