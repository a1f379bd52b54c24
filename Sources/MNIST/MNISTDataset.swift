import Foundation

/// Which half of MNIST.
public enum Split: String, Sendable, CaseIterable, Codable {
    case train, test

    var imageFile: String { self == .train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte" }
    var labelFile: String { self == .train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte" }
}

/// One split of MNIST in memory: `count` images of 28×28 bytes (row-major) and their labels.
public struct MNISTDataset: Sendable {
    public static let side = 28
    public static let pixels = 784

    public let split: Split
    public let count: Int
    /// count × 784 bytes, image-major, each image row-major (row r, column c at r*28+c).
    public let pixelBytes: [UInt8]
    public let labels: [UInt8]

    /// Builds a dataset from parts (tests and fixtures); checks shapes and labels.
    /// A split with no images (for an explorer opened on sequences, which never reads it).
    public static func empty(_ split: Split) -> MNISTDataset { MNISTDataset(split: split, checkedPixelBytes: [], labels: []) }

    private init(split: Split, checkedPixelBytes: [UInt8], labels: [UInt8]) {
        self.split = split
        self.count = labels.count
        self.pixelBytes = checkedPixelBytes
        self.labels = labels
    }

    public init(split: Split, pixelBytes: [UInt8], labels: [UInt8], path: String = "<memory>") throws {
        guard pixelBytes.count == labels.count * MNISTDataset.pixels else {
            throw DataFileError(path: path, .countMismatch(images: pixelBytes.count / MNISTDataset.pixels, labels: labels.count))
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DataFileError(path: path, .badLabel(index: bad, value: labels[bad]))
        }
        self.split = split
        self.count = labels.count
        self.pixelBytes = pixelBytes
        self.labels = labels
    }

    /// Loads `split` from `directory`, which holds the standard file names, gzip (`.gz`) or
    /// raw. Every failure is a `DataFileError` naming the file.
    public static func load(directory: String, split: Split) throws -> MNISTDataset {
        let imagePath = try locate(directory, split.imageFile)
        let labelPath = try locate(directory, split.labelFile)
        let images = try IDXArray(contentsOf: imagePath, expectedDimensions: 3)
        guard images.dimensions[1] == side, images.dimensions[2] == side else {
            throw DataFileError(path: imagePath, .badDimensions("images are \(images.dimensions[1])×\(images.dimensions[2]), expected 28×28"))
        }
        guard images.dimensions[0] > 0 else { throw DataFileError(path: imagePath, .other("holds no images")) }
        let labels = try IDXArray(contentsOf: labelPath, expectedDimensions: 1)
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataFileError(path: labelPath, .countMismatch(images: images.dimensions[0], labels: labels.dimensions[0]))
        }
        return try MNISTDataset(split: split, pixelBytes: images.bytes, labels: labels.bytes, path: labelPath)
    }

    /// The path of `name.gz` or `name` inside `directory` (gzip preferred).
    static func locate(_ directory: String, _ name: String) throws -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            throw DataFileError(path: directory, .missing)
        }
        guard isDir.boolValue else { throw DataFileError(path: directory, .other("is a file, expected the MNIST directory")) }
        let base = (directory as NSString).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: base + ".gz") { return base + ".gz" }
        if FileManager.default.fileExists(atPath: base) { return base }
        throw DataFileError(path: base + ".gz", .missing)
    }

    /// Image `index` as 784 values in [0, 1] (byte / 255), row-major.
    public func image(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < count, "image index \(index) out of 0..<\(count)")
        let o = index * MNISTDataset.pixels
        return (0..<MNISTDataset.pixels).map { Float(pixelBytes[o + $0]) / 255 }
    }

    public func label(_ index: Int) -> Int { Int(labels[index]) }
}
