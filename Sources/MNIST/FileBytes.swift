import CZlib
import Foundation

/// Reads a whole file as bytes, transparently inflating gzip (detected by the magic bytes
/// 1f 8b, not the name). A name ending in ".gz" that lacks the magic is an error, so a
/// mislabelled file is reported rather than misparsed.
///
/// Failures are `DataFileError`s naming `path`: missing, directory, unreadable, empty,
/// not gzip, truncated or corrupt gzip, decompressed size above `limit` bytes.
public func readFileBytes(_ path: String, limit: Int = 512 << 20) throws -> [UInt8] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw DataFileError(path: path, .missing)
    }
    if isDir.boolValue { throw DataFileError(path: path, .isDirectory) }
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
        throw DataFileError(path: path, .unreadable((error as NSError).localizedDescription))
    }
    if data.isEmpty { throw DataFileError(path: path, .empty) }
    let bytes = [UInt8](data)
    let isGzip = bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    if isGzip { return try gunzip(bytes, path: path, limit: limit) }
    if path.hasSuffix(".gz") { throw DataFileError(path: path, .notGzip) }
    if bytes.count > limit { throw DataFileError(path: path, .tooLarge(limit: limit)) }
    return bytes
}

/// Inflates a complete gzip stream (one or more concatenated members) with zlib.
/// Input that ends before a member's end-of-stream marker is `.truncatedGzip`; bad data is
/// `.corruptGzip`; output beyond `limit` bytes is `.tooLarge` (a guard against gzip bombs).
public func gunzip(_ input: [UInt8], path: String, limit: Int = 512 << 20) throws -> [UInt8] {
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
