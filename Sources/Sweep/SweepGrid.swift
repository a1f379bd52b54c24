import Foundation

/// A usage error in a sweep's description (a grid, an option, an analysis): one line, meant for
/// `ftle: <description>` with exit code 2.
public struct SweepUsageError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One `--grid NAME=V1,V2,…`: an option name (as `ftle train` spells it, without the dashes) and
/// its values, as text, in the order given. The values are checked for being parseable by the
/// caller (who knows the option's type); here only the shape: a name, at least one value, no
/// empty or repeated value.
public struct GridAxis: Codable, Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }

    /// Parses `NAME=V1,V2,…` (a leading `--` on NAME is accepted and dropped).
    ///
    /// Failures: no `=`, an empty name, no values (the product would be empty), an empty value
    /// (`8,,16`), a value listed twice (numbers by value: `08` and `8` are one value).
    public init(parsing spec: String) throws {
        guard let eq = spec.firstIndex(of: "=") else {
            throw SweepUsageError("--grid \(spec): expected NAME=V1,V2,… (e.g. hidden=64,128)")
        }
        var name = String(spec[..<eq]).trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("--") { name.removeFirst(2) }
        guard !name.isEmpty else { throw SweepUsageError("--grid \(spec): the option name is missing before '='") }
        let list = String(spec[spec.index(after: eq)...])
        guard !list.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SweepUsageError("--grid \(name) has no values, so the sweep would have no jobs")
        }
        let values = list.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if values.contains("") { throw SweepUsageError("--grid \(name)=\(list): an empty value (two commas in a row, or one at an end)") }
        // The same value spelled twice (08 and 8, +8, 0.001 and 1e-3) is the same job twice:
        // numbers are compared by value.
        var seen: [String: String] = [:]
        for v in values {
            let key = Double(v).map { "number \($0)" } ?? v
            if let first = seen[key] {
                throw SweepUsageError(first == v ? "--grid \(name) lists the value \(v) twice"
                                                 : "--grid \(name) lists the value \(v) twice (as \(first) and \(v))")
            }
            seen[key] = v
        }
        self.init(name: name, values: values)
    }
}

/// The Cartesian product of grid axes: every combination of one value per axis, the first axis
/// varying slowest (as nested loops written in the order the grids were given). Job IDs are the
/// positions in this order, 0-based.
///
/// The product of no axes is one empty combination; an axis without values gives no
/// combinations (callers reject both before planning: see ``SweepPlanner``).
public func cartesianProduct(_ axes: [GridAxis]) -> [[(name: String, value: String)]] {
    var combinations: [[(name: String, value: String)]] = [[]]
    for axis in axes {
        combinations = combinations.flatMap { prefix in axis.values.map { prefix + [(axis.name, $0)] } }
    }
    return combinations
}

/// How an `ftle train` option is written on a command line.
public enum TrainOptionKind: Sendable, Equatable {
    /// `--name VALUE`.
    case value
    /// `--name VALUE` where VALUE is a file or folder path: made absolute when planned, since
    /// tasks may run in another working directory (a Slurm node, an ssh host).
    case path
    /// `--name` alone; in a grid its values are `true` / `false` (present / absent).
    case flag
}

/// One `ftle train` option a sweep can fix or grid.
public struct TrainOptionSpec: Sendable, Equatable {
    public var name: String
    public var kind: TrainOptionKind
    public init(_ name: String, _ kind: TrainOptionKind = .value) {
        self.name = name
        self.kind = kind
    }
}

/// An option value as given on the command line, before it is checked.
public struct SweepOptionValue: Sendable, Equatable {
    public var name: String
    public var value: String
}

/// Splits `ftle train` arguments given to `sweep plan` (`--hidden 64`, `--lr=1e-3`,
/// `--standardize`) into name/value pairs, using `specs` to know which options are flags.
/// Failures: a word that is not an option, an unknown option, an option without its value, an
/// option given twice, a flag given a value, a `reserved` option (the sweep sets it itself).
public func splitTrainArguments(_ arguments: [String], specs: [TrainOptionSpec],
                                reserved: [String: String]) throws -> [SweepOptionValue] {
    var result: [SweepOptionValue] = []
    var i = 0
    while i < arguments.count {
        let word = arguments[i]
        guard word.hasPrefix("--"), word.count > 2 else {
            throw SweepUsageError("unexpected argument '\(word)' (sweep plan takes ftle train's options as --name value)")
        }
        var name = String(word.dropFirst(2)), inlineValue: String?
        if let eq = name.firstIndex(of: "=") {
            inlineValue = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        if let why = reserved[name] { throw SweepUsageError("--\(name): \(why)") }
        guard let spec = specs.first(where: { $0.name == name }) else {
            throw SweepUsageError("unknown option --\(name) (sweep plan takes the options of ftle train)")
        }
        let value: String
        if spec.kind == .flag {
            guard inlineValue == nil else { throw SweepUsageError("--\(name) is a flag and takes no value") }
            value = "true"
            i += 1
        } else if let inlineValue {
            value = inlineValue
            i += 1
        } else {
            guard i + 1 < arguments.count else { throw SweepUsageError("--\(name) needs a value") }
            value = arguments[i + 1]
            i += 2
        }
        guard !result.contains(where: { $0.name == name }) else { throw SweepUsageError("--\(name) is given twice") }
        result.append(SweepOptionValue(name: name, value: value))
    }
    return result
}

/// The `ftle train` arguments for a set of option values, in the order given (flags set to
/// `false` are left out; `--out` is not included).
public func trainArguments(for options: [SweepOptionValue], specs: [TrainOptionSpec]) -> [String] {
    options.flatMap { o -> [String] in
        let kind = specs.first { $0.name == o.name }?.kind ?? .value
        if kind == .flag { return o.value == "true" ? ["--\(o.name)"] : [] }
        return ["--\(o.name)", o.value]
    }
}

/// `path` made absolute against the current directory ("." and ".." components resolved).
public func absolutePath(_ path: String) -> String {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
        : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
    return url.standardizedFileURL.path
}
