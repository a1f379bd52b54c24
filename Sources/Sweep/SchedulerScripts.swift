import Foundation

/// `text` quoted for a POSIX shell: unchanged when it holds only characters no shell treats
/// specially, else in single quotes (a single quote inside becomes `'\''`).
public func shellQuoted(_ text: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%")
    if !text.isEmpty && text.allSatisfy({ safe.contains($0) }) { return text }
    return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// The command that runs job `id`: `FTLE sweep task DIR ID` (absolute paths, shell-quoted).
public func taskCommandLine(ftle: String, folder: String, id: Int) -> String {
    "\(shellQuoted(ftle)) sweep task \(shellQuoted(folder)) \(id)"
}

/// How `ftle sweep run` hands the pending tasks to a scheduler on this machine (or over ssh).
public enum LocalRunner: String, Sendable, CaseIterable {
    /// GNU parallel: `--jobs N`, a joblog in DIR, `--sshloginfile` for other hosts.
    case parallel
    /// `xargs -P N` (this machine only).
    case xargs

    /// The argument vector that runs `FTLE sweep task DIR ID` for every ID listed (one per line)
    /// in `idsFile`, `jobs` at a time.
    ///
    /// GNU parallel gets `--joblog +DIR/parallel.joblog` (`+`: appended to across runs), `--halt never`
    /// (one failed job does not stop the others), `--line-buffer` (the tasks' one-line summaries
    /// appear as they happen), `--will-cite`; with `hostsFile`, `--sshloginfile FILE` (and
    /// `--sshlogin :` too when `alsoLocal`), and the environment variables named in `forward`
    /// are passed to the remote tasks (`--env`).
    public func arguments(ftle: String, folder: SweepFolder, idsFile: String, jobs: Int,
                          hostsFile: String? = nil, alsoLocal: Bool = false, forward: [String] = []) -> [String] {
        switch self {
        case .parallel:
            var args = ["parallel", "--will-cite", "--jobs", "\(jobs)", "--joblog", "+" + folder.parallelJobLogPath, "--halt", "never",
                        "--line-buffer", "--arg-file", idsFile]
            if let hostsFile {
                args += ["--sshloginfile", hostsFile]
                if alsoLocal { args += ["--sshlogin", ":"] }
                for name in forward { args += ["--env", name] }
            }
            return args + ["\(shellQuoted(ftle)) sweep task \(shellQuoted(folder.path)) {}"]
        case .xargs:
            return ["xargs", "-P", "\(jobs)", "-n", "1", "-a", idsFile, ftle, "sweep", "task", folder.path]
        }
    }
}

/// Whether `name` is an executable on `PATH`.
public func isOnPath(_ name: String) -> Bool {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
}

/// The Slurm batch script of a sweep: a job array whose task IDs are the sweep's job IDs.
///
/// Each array task runs `ftle sweep task DIR $SLURM_ARRAY_TASK_ID`, which skips a job that is
/// done, resumes a half-trained one from its checkpoint and writes its result atomically; so the
/// array may list every job, and resubmitting only does what is missing. The script lists the
/// jobs not done when it was written (`0-(N−1)` the first time), `%M` caps how many run at once.
/// Slurm's SIGTERM at the time limit makes a task save a checkpoint; resubmit to continue.
public struct SlurmScript: Sendable, Equatable {
    public var ftle: String
    public var folder: SweepFolder
    public var ids: [Int]
    public var maxParallel: Int?
    public var partition: String?
    public var time: String?
    public var cpus: Int
    public var ftleVersion: String

    public init(ftle: String, folder: SweepFolder, ids: [Int], maxParallel: Int?, partition: String?, time: String?,
                cpus: Int, ftleVersion: String) {
        self.ftle = ftle
        self.folder = folder
        self.ids = ids
        self.maxParallel = maxParallel
        self.partition = partition
        self.time = time
        self.cpus = cpus
        self.ftleVersion = ftleVersion
    }

    /// The options an earlier script was written with (`#SBATCH --partition=`, `--time=`,
    /// `--cpus-per-task=` and the array's `%M`), so that writing it again for the jobs still
    /// missing keeps what the first call was given. Lines that do not parse count as absent.
    public struct RecordedOptions: Sendable, Equatable {
        public var partition: String?
        public var time: String?
        public var cpus: Int?
        public var maxParallel: Int?
        public init(partition: String? = nil, time: String? = nil, cpus: Int? = nil, maxParallel: Int? = nil) {
            (self.partition, self.time, self.cpus, self.maxParallel) = (partition, time, cpus, maxParallel)
        }
    }

    /// The options recorded in a script's text (see ``RecordedOptions``).
    public static func recordedOptions(in text: String) -> RecordedOptions {
        var options = RecordedOptions()
        for line in text.split(separator: "\n") {
            func value(_ name: String) -> String? {
                line.hasPrefix("#SBATCH --\(name)=") ? String(line.dropFirst("#SBATCH --\(name)=".count)) : nil
            }
            if let p = value("partition"), isPlainWord(p) { options.partition = p }
            if let t = value("time"), isValidTime(t) { options.time = t }
            if let c = value("cpus-per-task").flatMap({ Int($0) }), c >= 1 { options.cpus = c }
            if let array = value("array"), let percent = array.lastIndex(of: "%"),
               let m = Int(array[array.index(after: percent)...]), m >= 1 { options.maxParallel = m }
        }
        return options
    }

    /// `--array=` value: the IDs as ranges, then `%M`.
    public var arraySpec: String { compressedRanges(ids) + (maxParallel.map { "%\($0)" } ?? "") }

    public var text: String {
        var lines = [
            "#!/bin/bash",
            "# ftle sweep \(folder.path): \(ids.count) job(s) not done when written by ftle \(ftleVersion) on \(isoTimestamp()).",
            "# Submit with: sbatch \(shellQuoted(folder.slurmScriptPath))",
            "# Each task skips a finished job and resumes a half-trained one; resubmitting runs only what is missing",
            "# (ftle sweep slurm rewrites the --array list to the jobs still missing).",
            "#SBATCH --job-name=ftle-sweep",
            "#SBATCH --array=\(arraySpec)",
            "#SBATCH --output=\(folder.logsPath)/slurm-%A_%a.out",
            "#SBATCH --cpus-per-task=\(cpus)",
        ]
        if let partition { lines.append("#SBATCH --partition=\(partition)") }
        if let time { lines.append("#SBATCH --time=\(time)") }
        lines += [
            "set -euo pipefail",
            ": \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch (it is a job array), or set SLURM_ARRAY_TASK_ID}\"",
            "export OPENBLAS_NUM_THREADS=\"${OPENBLAS_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-\(cpus)}}\"",
            "FTLE=\"${FTLE:-\(ftle)}\"",
            "exec \"$FTLE\" sweep task \(shellQuoted(folder.path)) \"$SLURM_ARRAY_TASK_ID\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Checks a `--time` value against Slurm's formats: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`,
    /// `D-H:M:S` (non-negative integers), or `UNLIMITED` / `INFINITE`.
    public static func isValidTime(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        func numbers(_ s: Substring, count: ClosedRange<Int>) -> Bool {
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            return count.contains(parts.count) && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
        let dayParts = text.split(separator: "-", omittingEmptySubsequences: false)
        switch dayParts.count {
        case 1: return numbers(dayParts[0], count: 1...3)
        case 2: return numbers(dayParts[0], count: 1...1) && numbers(dayParts[1], count: 1...3)
        default: return false
        }
    }

    /// Whether `text` can stand in an `#SBATCH` line as is: not empty, no whitespace, quotes,
    /// backslash or `%` (Slurm's file-name pattern character).
    public static func isPlainWord(_ text: String) -> Bool {
        !text.isEmpty && !text.contains { $0.isWhitespace || "\"'\\%$`".contains($0) }
    }
}
