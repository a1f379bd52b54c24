import Foundation

/// One job of a sweep: its grid values and every `ftle train` option it was given.
public struct SweepJob: Codable, Sendable, Equatable {
    public var id: Int
    /// The values of the grid options for this job (option name → value as given).
    public var grid: [String: String]
    /// Every option given: the fixed ones and the grid ones (name → value; flags "true"/"false").
    public var options: [String: String]
    /// The exact `ftle train` arguments (without `--out`, which is `DIR/runs/ID`); options not
    /// listed take `ftle train`'s defaults of the manifest's ftle version.
    public var trainArguments: [String]

    enum CodingKeys: String, CodingKey {
        case id, grid, options
        case trainArguments = "train_arguments"
    }

    public init(id: Int, grid: [String: String], options: [String: String], trainArguments: [String]) {
        self.id = id
        self.grid = grid
        self.options = options
        self.trainArguments = trainArguments
    }
}

/// Turns `--grid` specs and fixed `ftle train` options into jobs, checking everything that can be
/// checked before any job runs:
///
/// 1. each `--grid` has a name, values, no empty or repeated value (``GridAxis/init(parsing:)``);
/// 2. no option is gridded twice, or both gridded and fixed;
/// 3. every name is an `ftle train` option a sweep may set (`specs`, not `reserved`);
/// 4. every grid value parses as its option does (`validate` on the fixed options plus that one value);
/// 5. every job's whole argument list passes `ftle train`'s parsing and `validate()` (`validate`),
///    so combinations that `ftle train` refuses (e.g. `--recurrent-gain` with `--init pytorch`) fail
///    here, named by the first such job; when every job fails as the fixed options alone do, the
///    fixed options' message is given as is.
///
/// Every failure is a ``SweepUsageError`` of one line.
public struct SweepPlanner: Sendable {
    public var specs: [TrainOptionSpec]
    /// Options the sweep sets itself (name → why), e.g. `out`, `resume`.
    public var reserved: [String: String]
    /// Parses a whole `ftle train` argument list as `ftle train` does; returns its one-line
    /// error message, or nil when it parses.
    public var validate: @Sendable ([String]) -> String?

    public init(specs: [TrainOptionSpec], reserved: [String: String], validate: @escaping @Sendable ([String]) -> String?) {
        self.specs = specs
        self.reserved = reserved
        self.validate = validate
    }

    public struct Plan: Sendable, Equatable {
        public var axes: [GridAxis]
        public var fixed: [SweepOptionValue]
        public var jobs: [SweepJob]
    }

    public func plan(grids: [String], trainArguments given: [String]) throws -> Plan {
        guard !grids.isEmpty else { throw SweepUsageError("a sweep needs at least one --grid NAME=V1,V2,…") }
        var axes = try grids.map(GridAxis.init(parsing:))
        var fixed = try splitTrainArguments(given, specs: specs, reserved: reserved)
        for (i, axis) in axes.enumerated() {
            if let why = reserved[axis.name] { throw SweepUsageError("--grid \(axis.name): \(why)") }
            guard let spec = specs.first(where: { $0.name == axis.name }) else {
                throw SweepUsageError("--grid \(axis.name): ftle train has no option --\(axis.name)")
            }
            if axes[..<i].contains(where: { $0.name == axis.name }) {
                throw SweepUsageError("--grid \(axis.name) is given twice; list all its values in one --grid")
            }
            if fixed.contains(where: { $0.name == axis.name }) {
                throw SweepUsageError("--\(axis.name) is both fixed and in a --grid; give it once")
            }
            if spec.kind == .flag, let bad = axis.values.first(where: { $0 != "true" && $0 != "false" }) {
                throw SweepUsageError("--grid \(axis.name)=\(bad): --\(axis.name) is a flag; its grid values are true and false")
            }
            if spec.kind == .path { axes[i].values = axis.values.map(absolutePath) }
        }
        for (i, option) in fixed.enumerated() where specs.first(where: { $0.name == option.name })?.kind == .path {
            fixed[i].value = absolutePath(option.value)
        }
        // Each value with the fixed options, so the message names the value, not a whole job. A
        // failure the fixed options have on their own (with ftle train's defaults) is not the
        // value's fault: another grid may cure it, and the jobs are checked next.
        let fixedMessage = validate(trainArguments(for: fixed, specs: specs))
        for (axis, given) in zip(axes, try grids.map(GridAxis.init(parsing:))) {
            for (value, shown) in zip(axis.values, given.values) {
                let args = trainArguments(for: fixed + [SweepOptionValue(name: axis.name, value: value)], specs: specs)
                if let message = validate(args), message != fixedMessage {
                    throw SweepUsageError("--grid \(axis.name)=\(shown): \(message)")
                }
            }
        }
        var jobs: [SweepJob] = []
        var firstFailure: (id: Int, label: String, message: String)?
        var allFailAsFixed = fixedMessage != nil
        for (id, combination) in cartesianProduct(axes).enumerated() {
            let options = fixed + combination.map { SweepOptionValue(name: $0.name, value: $0.value) }
            let args = trainArguments(for: options, specs: specs)
            let message = validate(args)
            if message != fixedMessage { allFailAsFixed = false }
            if let message, firstFailure == nil {
                firstFailure = (id, combination.map { "\($0.name)=\($0.value)" }.joined(separator: " "), message)
            }
            jobs.append(SweepJob(id: id, grid: Dictionary(uniqueKeysWithValues: combination.map { ($0.name, $0.value) }),
                                 options: Dictionary(uniqueKeysWithValues: options.map { ($0.name, $0.value) }),
                                 trainArguments: args))
        }
        if allFailAsFixed, let fixedMessage { throw SweepUsageError(fixedMessage) }
        if let f = firstFailure { throw SweepUsageError("job \(f.id) (\(f.label)): \(f.message)") }
        return Plan(axes: axes, fixed: fixed, jobs: jobs)
    }
}
