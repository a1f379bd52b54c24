import Foundation

/// The rows of a run's `history.csv` (header ``RunFiles/historyHeader``):
/// progress rows carry loss, accuracy and samples/s; epoch-end rows carry test loss and
/// test accuracy. Unparseable lines are skipped, so a half-written last line is harmless.
public struct TrainingHistory: Hashable, Sendable {
    public struct Row: Hashable, Sendable {
        /// 0-based epoch.
        public var epoch: Int
        /// Batches done in the epoch.
        public var batch: Int
        public var step: Int
        public var loss: Double?
        public var accuracy: Double?
        public var samplesPerSecond: Double?
        public var testLoss: Double?
        public var testAccuracy: Double?
        /// λ_1…λ_K of the last flossing update (`lambda1…lambdaK` columns of a flossing run;
        /// empty otherwise).
        public var lambdas: [Double]

        public init(epoch: Int, batch: Int, step: Int, loss: Double? = nil, accuracy: Double? = nil,
                    samplesPerSecond: Double? = nil, testLoss: Double? = nil, testAccuracy: Double? = nil, lambdas: [Double] = []) {
            self.lambdas = lambdas
            self.epoch = epoch
            self.batch = batch
            self.step = step
            self.loss = loss
            self.accuracy = accuracy
            self.samplesPerSecond = samplesPerSecond
            self.testLoss = testLoss
            self.testAccuracy = testAccuracy
        }

        /// The row as written to the file (`%.6g` numbers, empty fields for absent values).
        public var csvLine: String {
            func field(_ x: Double?) -> String { x.map { String(format: "%.6g", $0) } ?? "" }
            return "\(epoch),\(batch),\(step),\(field(loss)),\(field(accuracy)),\(field(samplesPerSecond)),\(field(testLoss)),\(field(testAccuracy))"
                + lambdas.map { "," + field($0) }.joined()
        }

        /// The test accuracy as the file holds it (rounded to `%.6g`; -1 when absent), so that a
        /// value about to be written compares with the file's rows as they will read back.
        public var recordedTestAccuracy: Double {
            testAccuracy.flatMap { Double(String(format: "%.6g", $0)) } ?? -1
        }

        /// What makes a row unique: (epoch, batch, step) and whether it is a progress row or a
        /// test row (an epoch's last progress row and its test row share the position).
        public var identity: [Int] { [epoch, batch, step, loss == nil ? 1 : 0] }

        /// Parses one line; nil for the header or a malformed line.
        public init?(csvLine line: Substring) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 8, let epoch = Int(fields[0]), let batch = Int(fields[1]), let step = Int(fields[2]) else { return nil }
            self.init(epoch: epoch, batch: batch, step: step, loss: Double(fields[3]), accuracy: Double(fields[4]),
                      samplesPerSecond: Double(fields[5]), testLoss: Double(fields[6]), testAccuracy: Double(fields[7]),
                      lambdas: fields.dropFirst(8).compactMap { Double($0) })
        }
    }

    public var rows: [Row]

    public init(rows: [Row] = []) { self.rows = rows }

    /// Parses the CSV text (the header line is optional); see `init(bytes:)`.
    public init(csv text: String) { self.init(bytes: Array(text.utf8)) }

    /// Parses a history file's bytes leniently, line by line as `repaired` reads them: lines end
    /// in LF or CRLF (Swift reads "\r\n" as one character, so splitting a `String` on "\n" would
    /// see one line), invalid UTF-8 is replaced, and unparseable lines are skipped.
    public init(bytes: [UInt8]) {
        rows = bytes.split(separator: 0x0a).compactMap { line in
            Row(csvLine: Substring(String(decoding: TrainingHistory.withoutCarriageReturns(line), as: UTF8.self)))
        }
    }

    /// A line without its trailing CR characters.
    static func withoutCarriageReturns(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var l = line
        while l.last == 0x0d { l.removeLast() }
        return l
    }

    /// Progress rows (those with a training loss).
    public var progressRows: [Row] { rows.filter { $0.loss != nil } }
    /// The most recent test accuracy, if any epoch has ended.
    public var lastTestAccuracy: Double? { rows.last { $0.testAccuracy != nil }?.testAccuracy }
}

/// What `TrainingHistory.repaired` changed in a history file.
public struct HistoryRepair: Equatable, Sendable, CustomStringConvertible {
    public var crlfLines = 0
    public var invalidUTF8Lines = 0
    public var duplicateRows = 0
    public var partialLastRow = false
    public var rowsAfterCheckpoint = 0
    public var unknownLinesKept = 0
    public var missingHeader = false

    /// Whether nothing was repaired. Rows written after the checkpoint (a run killed between
    /// two checkpoints) are dropped and reported too: the user sees every row that goes.
    public var isEmpty: Bool {
        crlfLines == 0 && invalidUTF8Lines == 0 && duplicateRows == 0 && !partialLastRow && unknownLinesKept == 0 && !missingHeader
            && rowsAfterCheckpoint == 0
    }

    public var description: String {
        var parts: [String] = []
        if crlfLines > 0 { parts.append("converted \(crlfLines) CRLF line end\(crlfLines == 1 ? "" : "s")") }
        if invalidUTF8Lines > 0 { parts.append("\(invalidUTF8Lines) line\(invalidUTF8Lines == 1 ? "" : "s") with invalid UTF-8 kept as is") }
        if duplicateRows > 0 { parts.append("removed \(duplicateRows) duplicate row\(duplicateRows == 1 ? "" : "s")") }
        if partialLastRow { parts.append("dropped a partial last row") }
        if rowsAfterCheckpoint > 0 {
            parts.append("dropped \(rowsAfterCheckpoint) row\(rowsAfterCheckpoint == 1 ? "" : "s") written after the checkpoint")
        }
        if unknownLinesKept > 0 { parts.append("kept \(unknownLinesKept) unrecognised line\(unknownLinesKept == 1 ? "" : "s")") }
        if missingHeader { parts.append("restored the header") }
        return parts.joined(separator: ", ")
    }
}

extension TrainingHistory {
    /// A history file's bytes made fit to append to, for a run resuming at optimizer step
    /// `step`: lines may end in LF or CRLF (written back as LF); a last line without its line
    /// end is a row cut off by a kill or a full disk and is dropped; rows with step > `step` were
    /// written after the checkpoint and are dropped; rows repeating an (epoch, batch, step) of
    /// their kind (progress or test) already seen are dropped (the first is kept); every other
    /// line — unrecognised text, invalid UTF-8 — is kept byte for byte in its place. A line is a
    /// row when the reader (`init(bytes:)`, invalid UTF-8 replaced) takes it for one. The header
    /// comes first.
    public static func repaired(_ bytes: [UInt8], throughStep step: Int, lambdaColumns: Int = 0) -> (bytes: [UInt8], repair: HistoryRepair) {
        var repair = HistoryRepair()
        var lines = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map(Array.init)
        if let last = lines.last {
            if last.isEmpty { lines.removeLast() } else if !bytes.isEmpty {
                lines.removeLast(); repair.partialLastRow = true
            }
        }
        let header = Array(RunFiles.historyHeader(lambdaColumns: lambdaColumns).utf8)
        var out: [[UInt8]] = [header]
        var seen = Set<[Int]>()
        for var line in lines {
            if line.last == 0x0d { line = Array(withoutCarriageReturns(line[...])); repair.crlfLines += 1 }
            if line.isEmpty || line == header { continue }
            // Parsed as the reader parses it (invalid UTF-8 replaced), so a row is a row to both.
            let valid = String(validatingUTF8Bytes: line) != nil
            if !valid { repair.invalidUTF8Lines += 1 }
            guard let row = Row(csvLine: Substring(String(decoding: line, as: UTF8.self))) else {
                if valid { repair.unknownLinesKept += 1 }
                out.append(line); continue
            }
            if row.step > step { repair.rowsAfterCheckpoint += 1; continue }
            if !seen.insert(row.identity).inserted { repair.duplicateRows += 1; continue }
            out.append(line)
        }
        if let first = lines.first.map({ Array(withoutCarriageReturns($0[...])) }), first != header {
            repair.missingHeader = true
        }
        return (out.joined(separator: [0x0a]).map { $0 } + [0x0a], repair)
    }
}

extension String {
    /// The text of `bytes` when they are valid UTF-8, else nil.
    init?(validatingUTF8Bytes bytes: [UInt8]) {
        var text = ""
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        while true {
            switch decoder.decode(&iterator) {
            case let .scalarValue(u): text.unicodeScalars.append(u)
            case .emptyInput: self = text; return
            case .error: return nil
            }
        }
    }
}
