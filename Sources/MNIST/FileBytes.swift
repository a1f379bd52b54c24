import CZlib
import Foundation

/// A path as error messages show it: unchanged when it is printable, else in double quotes
/// with line breaks and other control characters escaped (`\n`, `\u{1b}`), so a crafted file
/// name can neither break the one-line error nor send terminal escapes.
public func displayPath(_ path: String) -> String {
    if path.isEmpty { return "\"\"" }  // an empty path is still visible in a message
    guard path.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) || $0.value == 0x2028 || $0.value == 0x2029 || $0 == "\"" })
    else { return path }
    var out = "\""
    for u in path.unicodeScalars {
        switch u.value {
        case 0x0a: out += "\\n"
        case 0x0d: out += "\\r"
        case 0x09: out += "\\t"
        case 0x22: out += "\\\""
        case 0..<0x20, 0x7f...0x9f, 0x2028, 0x2029: out += "\\u{\(String(u.value, radix: 16))}"
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

/// An input file opened for reading after checking what it is: it must exist and be a regular
/// file (a folder, FIFO, device or socket is refused by name, before anything is read), and
/// reads are bounded by its size, so a header can be checked before a body is read.
public final class InputFile {
    public let path: String
    /// The file's size in bytes.
    public let size: Int
    private let descriptor: Int32
    /// The content of a file that says it is empty but is not (procfs and sysfs files report
    /// size 0 and produce their text when read), read once at opening, up to 16 MiB.
    private var generated: [UInt8]?

    public init(_ path: String) throws {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw DataFileError(path: path, .missing) }
            throw DataFileError(path: path, .unreadable(String(cString: strerror(errno))))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw DataFileError(path: path, .isDirectory)
        case S_IFIFO: throw DataFileError(path: path, .notRegular("a FIFO"))
        case S_IFCHR: throw DataFileError(path: path, .notRegular("a character device"))
        case S_IFBLK: throw DataFileError(path: path, .notRegular("a block device"))
        case S_IFSOCK: throw DataFileError(path: path, .notRegular("a socket"))
        default: throw DataFileError(path: path, .notRegular("neither a file nor a folder"))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataFileError(path: path, .unreadable(String(cString: strerror(errno)))) }
        descriptor = fd
        if info.st_size == 0 {
            var content: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while content.count < 16 << 20 {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                content += chunk[0..<n]
            }
            generated = content.isEmpty ? nil : content
            size = content.count
        } else {
            size = Int(info.st_size)
        }
    }

    deinit { close(descriptor) }

    /// `count` bytes from `offset` (fewer only if the file shrank meanwhile).
    public func read(at offset: Int, count: Int) throws -> [UInt8] {
        guard count > 0 else { return [] }
        if let generated {
            guard offset < generated.count else { return [] }
            return Array(generated[offset..<min(generated.count, offset + count)])
        }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        try out.withUnsafeMutableBytes { raw in
            while done < count {
                let n = pread(descriptor, raw.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataFileError(path: path, .unreadable(String(cString: strerror(errno))))
                }
                if n == 0 { break }
                done += n
            }
        }
        return done == count ? out : Array(out[0..<done])
    }

    /// The whole file.
    public func readAll() throws -> [UInt8] { try read(at: 0, count: size) }
}

/// Reads a whole file as bytes, transparently inflating gzip (detected by the magic bytes
/// 1f 8b, not the name). A name ending in ".gz" that lacks the magic is an error, so a
/// mislabelled file is reported rather than misparsed.
///
/// Failures are `DataFileError`s naming `path`: missing, directory, FIFO or device, unreadable,
/// empty, not gzip, truncated or corrupt gzip, size (raw) or decompressed size above `limit` bytes.
public func readFileBytes(_ path: String, limit: Int = 512 << 20) throws -> [UInt8] {
    let file = try InputFile(path)
    if file.size == 0 { throw DataFileError(path: path, .empty) }
    let magic = try file.read(at: 0, count: 2)
    let isGzip = magic == [0x1f, 0x8b]
    if !isGzip && path.hasSuffix(".gz") { throw DataFileError(path: path, .notGzip) }
    if !isGzip && file.size > limit { throw DataFileError(path: path, .rawTooLarge(limit: limit)) }
    let bytes = try file.readAll()
    if isGzip { return try gunzip(bytes, path: path, limit: limit) }
    return bytes
}

/// Inflates a complete gzip stream (one or more concatenated members) with zlib.
/// Input that ends before a member's end-of-stream marker is `.truncatedGzip`; bad data is
/// `.corruptGzip`; output beyond `limit` bytes is `.tooLarge` (a guard against gzip bombs).
/// With `prefix`, inflation stops as soon as that many bytes are out and returns them (fewer
/// when the stream is shorter), at most one 256 KiB chunk of work: for reading a header first.
public func gunzip(_ input: [UInt8], path: String, limit: Int = 512 << 20, prefix: Int? = nil) throws -> [UInt8] {
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw DataFileError(path: path, .corruptGzip("zlib could not start"))
    }
    defer { inflateEnd(&stream) }
    var output = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 18)
    try input.withUnsafeBufferPointer { inBuf in
        var consumed = 0
        stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress!)
        stream.avail_in = UInt32(inBuf.count)
        while true {
            var produced = 0
            let status: Int32 = chunk.withUnsafeMutableBufferPointer { outBuf in
                stream.next_out = outBuf.baseAddress
                stream.avail_out = UInt32(outBuf.count)
                let s = inflate(&stream, Z_NO_FLUSH)
                produced = outBuf.count - Int(stream.avail_out)
                return s
            }
            output.append(contentsOf: chunk[0..<produced])
            if let prefix, output.count >= prefix {
                output.removeSubrange(prefix...)
                return
            }
            if output.count > limit { throw DataFileError(path: path, .tooLarge(limit: limit)) }
            switch status {
            case Z_STREAM_END:
                consumed = inBuf.count - Int(stream.avail_in)
                // Skip zero padding; another member may follow (gzip(1) accepts both).
                while consumed < inBuf.count && inBuf[consumed] == 0 { consumed += 1 }
                if consumed >= inBuf.count { return }
                guard inBuf.count - consumed >= 2, inBuf[consumed] == 0x1f, inBuf[consumed + 1] == 0x8b else {
                    throw DataFileError(path: path, .corruptGzip("trailing garbage after the gzip stream"))
                }
                inflateReset(&stream)
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + consumed)
                stream.avail_in = UInt32(inBuf.count - consumed)
            case Z_OK:
                // All input is available up front: no input left and output space to spare
                // means the stream ended early.
                if stream.avail_in == 0 && produced < chunk.count { throw DataFileError(path: path, .truncatedGzip) }
            case Z_BUF_ERROR:
                throw DataFileError(path: path, .truncatedGzip)
            default:
                let msg = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw DataFileError(path: path, .corruptGzip(msg))
            }
        }
    }
    return output
}
