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

        public init(epoch: Int, batch: Int, step: Int, loss: Double? = nil, accuracy: Double? = nil,
                    samplesPerSecond: Double? = nil, testLoss: Double? = nil, testAccuracy: Double? = nil) {
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
        }

        /// Parses one line; nil for the header or a malformed line.
        public init?(csvLine line: Substring) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 8, let epoch = Int(fields[0]), let batch = Int(fields[1]), let step = Int(fields[2]) else { return nil }
            self.init(epoch: epoch, batch: batch, step: step, loss: Double(fields[3]), accuracy: Double(fields[4]),
                      samplesPerSecond: Double(fields[5]), testLoss: Double(fields[6]), testAccuracy: Double(fields[7]))
        }
    }

    public var rows: [Row]

    public init(rows: [Row] = []) { self.rows = rows }

    /// Parses the CSV text (the header line is optional).
    public init(csv text: String) {
        rows = text.split(separator: "\n").compactMap { Row(csvLine: $0) }
    }

    /// Progress rows (those with a training loss).
    public var progressRows: [Row] { rows.filter { $0.loss != nil } }
    /// The most recent test accuracy, if any epoch has ended.
    public var lastTestAccuracy: Double? { rows.last { $0.testAccuracy != nil }?.testAccuracy }
}
