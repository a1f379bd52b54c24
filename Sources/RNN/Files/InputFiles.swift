import Foundation
import MNIST

/// Opens an input file (model, checkpoint, array, history) after checking it is a regular file;
/// failures are one-line `FileFormatError`s naming the path: no such file, a directory, a FIFO
/// or device, unreadable.
func openInputFile(_ path: String) throws -> InputFile {
    try mapInputErrors(path) { try InputFile(path) }
}

/// Runs `body`, turning the MNIST module's `DataFileError` into a `FileFormatError`.
func mapInputErrors<R>(_ path: String, _ body: () throws -> R) throws -> R {
    do { return try body() } catch let error as DataFileError { throw FileFormatError(path: path, error.problemText) }
}

/// The whole content of an input file (see `openInputFile`).
public func readInputFile(_ path: String) throws -> [UInt8] {
    let file = try openInputFile(path)
    return try mapInputErrors(path) { try file.readAll() }
}
