import Foundation
import RNN

/// The spectrum summary of one job: from `ftle spectrum --format json` on the trained model.
public struct SpectrumSummary: Codable, Sendable, Equatable {
    /// What was fed (e.g. "test image 0").
    public var input: String
    /// Exponents computed (K; H unless `--k` was given).
    public var k: Int
    /// λ_1 … λ_5 (fewer when K < 5), natural log unless `log_base` says 2; nil is −∞ (a zero r).
    public var lambda: [Double?]
    public var kaplanYorke: Double?
    public var entropy: Double?
    public var logBase: String

    enum CodingKeys: String, CodingKey {
        case input, k, lambda, entropy
        case kaplanYorke = "kaplan_yorke"
        case logBase = "log_base"
    }

    /// Reads the keys `input`, `k`, `spectrum`, `kaplan_yorke`, `entropy`, `log_base` of
    /// `ftle spectrum`'s JSON.
    public init(spectrumJSON object: [String: Any]) throws {
        guard let spectrum = object["spectrum"] as? [Any], let k = jsonInt(object["k"]) else {
            throw SweepResultError("spectrum JSON lacks \"spectrum\" or \"k\"")
        }
        input = object["input"] as? String ?? ""
        self.k = k
        lambda = spectrum.prefix(5).map(jsonNumber)
        kaplanYorke = jsonNumber(object["kaplan_yorke"])
        entropy = jsonNumber(object["entropy"])
        logBase = object["log_base"] as? String ?? "e"
    }
}

/// The alignment summary of one job: from `ftle align --format json`.
public struct AlignmentSummary: Codable, Sendable, Equatable {
    public var stdFirst10: Double?
    public var stdLast10: Double?
    public var stdRandom10: Double?
    public var randomBaseline: Double?

    enum CodingKeys: String, CodingKey {
        case stdFirst10 = "std_first10", stdLast10 = "std_last10", stdRandom10 = "std_random10"
        case randomBaseline = "random_baseline"
    }

    public init(alignJSON object: [String: Any]) throws {
        guard object["std_first10"] != nil else { throw SweepResultError("align JSON lacks \"std_first10\"") }
        stdFirst10 = jsonNumber(object["std_first10"])
        stdLast10 = jsonNumber(object["std_last10"])
        stdRandom10 = jsonNumber(object["std_random10"])
        randomBaseline = jsonNumber(object["random_baseline"])
    }
}

/// One row of Table 1 for one job: from `ftle perturb --format json`'s `table`.
public struct PerturbationRow: Codable, Sendable, Equatable {
    public var k: Int
    public var kEffective: Int
    /// μ_R − μ_rand of the loss differences.
    public var meanDifference: Double?
    public var pWelch: Double?
    public var pZ: Double?

    enum CodingKeys: String, CodingKey {
        case k
        case kEffective = "k_effective", meanDifference = "mean_difference", pWelch = "p_welch", pZ = "p_z"
    }

    public init(k: Int, kEffective: Int, meanDifference: Double?, pWelch: Double?, pZ: Double?) {
        self.k = k
        self.kEffective = kEffective
        self.meanDifference = meanDifference
        self.pWelch = pWelch
        self.pZ = pZ
    }

    public static func rows(perturbJSON object: [String: Any]) throws -> [PerturbationRow] {
        guard let table = object["table"] as? [[String: Any]] else { throw SweepResultError("perturb JSON lacks \"table\"") }
        return try table.map { row in
            guard let k = jsonInt(row["k"]) else { throw SweepResultError("perturb JSON table row lacks \"k\"") }
            return PerturbationRow(k: k, kEffective: jsonInt(row["k_effective"]) ?? k, meanDifference: jsonNumber(row["mean_difference"]),
                                   pWelch: jsonNumber(row["p_welch"]), pZ: jsonNumber(row["p_z"]))
        }
    }
}

/// `DIR/results/ID.json`: one finished job — its options, how the training ended, the analyses'
/// summaries (the full analysis outputs stay in `DIR/runs/ID/<analysis>.json`) and the seconds
/// the attempt that finished it took.
public struct JobResult: Codable, Sendable, Equatable {
    public var id: Int
    public var ftleVersion: String
    public var grid: [String: String]
    public var options: [String: String]
    public var trainArguments: [String]
    /// Every training setting as the run's checkpoint stores it (defaults included).
    public var trainingConfig: TrainingConfig?
    /// From the last epoch-end row of the run's `history.csv` (`%.6g`).
    public var testAccuracy: Double?
    public var testLoss: Double?
    public var spectrum: SpectrumSummary?
    public var align: AlignmentSummary?
    public var perturb: [PerturbationRow]?
    /// Wall-clock seconds of the finishing attempt: "train", one per analysis, "total".
    public var seconds: [String: Double]
    public var host: String
    public var finished: String

    enum CodingKeys: String, CodingKey {
        case id, grid, options, spectrum, align, perturb, seconds, host, finished
        case ftleVersion = "ftle_version", trainArguments = "train_arguments", trainingConfig = "training_config"
        case testAccuracy = "test_accuracy", testLoss = "test_loss"
    }

    public init(job: SweepJob, ftleVersion: String) {
        id = job.id
        self.ftleVersion = ftleVersion
        grid = job.grid
        options = job.options
        trainArguments = job.trainArguments
        seconds = [:]
        host = currentHostName()
        finished = ""
    }

    public init(contentsOf path: String) throws {
        let bytes = try readInputFile(path)
        do { self = try JSONDecoder().decode(JobResult.self, from: Data(bytes)) } catch {
            throw FileFormatError(path: path, "not a sweep job result (\(decodingProblem(error)))")
        }
    }

    /// Writes the result atomically (a reader sees no file or the whole file).
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeFileAtomically(path, text: String(decoding: try encoder.encode(self), as: UTF8.self) + "\n")
    }

    /// The fields that do not depend on when and where the job ran (everything but `seconds`,
    /// `host`, `finished`): two runs of the same job must agree on these.
    public var reproducibleContent: JobResult {
        var copy = self
        copy.seconds = [:]
        copy.host = ""
        copy.finished = ""
        return copy
    }
}

/// A malformed analysis output read back by a task.
public struct SweepResultError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

/// A JSON number as Double (nil for null, a missing key or a non-number).
func jsonNumber(_ value: Any?) -> Double? {
    guard let value, !(value is NSNull) else { return nil }
    if let n = value as? NSNumber { return n.doubleValue }
    return value as? Double
}

/// A JSON integer (nil for anything else).
func jsonInt(_ value: Any?) -> Int? {
    guard let d = jsonNumber(value), d == d.rounded(), abs(d) < 1e15 else { return nil }
    return Int(d)
}

/// A JSON file's top-level object.
public func readJSONObject(_ path: String) throws -> [String: Any] {
    let bytes = try readInputFile(path)
    guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
        throw FileFormatError(path: path, "not a JSON object")
    }
    return object
}
