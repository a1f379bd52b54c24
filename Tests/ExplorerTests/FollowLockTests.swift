@testable import Explorer
import Foundation
import RNN
import TerminalUI
import Testing
import TestSupport

/// `explore --follow` beside a run whose writer lock another process holds (issue 17: "the
/// explorer's background training and `--follow` respect the lock; following reads, never
/// writes"). The holder is a real second process, `flock(1)` on the run folder, standing in for
/// `ftle train`; the test itself plays the trainer's writes (a new history row and new weights)
/// while the app's real event loop runs.
@Suite("Following a locked run", .serialized)
struct FollowLockTests {
    /// Every pid with a flock on `folder`, from /proc/locks (`N: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE …`).
    static func flockHolders(of folder: String) -> [Int32] {
        var info = stat()
        guard stat(folder, &info) == 0, let text = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return [] }
        let inodeSuffix = ":\(info.st_ino)"
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard !line.contains("->"), fields.count >= 6, fields[1] == "FLOCK", fields[5].hasSuffix(inodeSuffix) else { return nil }
            return Int32(fields[4])
        }
    }

    /// Name → bytes of every file in `folder`.
    static func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            files[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
        }
        return files
    }

    @Test func followingReadsALockedRunAndNeverWritesOrLocksIt() throws {
        let run = ExplorerFixtures.temporaryDirectory()
        let first = ExplorerFixtures.rowwiseModel
        try first.save(to: run + "/" + RunFiles.model)
        try writeFileAtomically(run + "/" + RunFiles.history, text: RunFiles.historyHeader + "\n0,10,10,2.0,0.3,100,,\n")

        // The writer: another process holding the folder's lock, as `ftle train` does.
        let spawned = try Subprocess.shell("setsid flock -n '\(run)' sleep 120 >/dev/null 2>&1 & echo $!")
        let holder = try #require(Int32(spawned.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(spawned)")
        defer { kill(-holder, SIGKILL); kill(holder, SIGKILL) }
        let lockDeadline = Date().addingTimeInterval(10)
        while Self.flockHolders(of: run) != [holder], Date() < lockDeadline { usleep(20_000) }
        #expect(Self.flockHolders(of: run) == [holder], "the holder must have the lock before the explorer starts")

        let scratch = ExplorerFixtures.temporaryDirectory()
        let terminal = MemoryTerminal(size: TerminalSize(width: 120, height: 40), colorMode: .trueColor, keys: [.char("t")])
        let app = ExplorerApp(terminal: terminal, state: ExplorerFixtures.state(model: first), model: first,
                              configuration: .init(modelPath: run + "/" + RunFiles.model, dataDirectory: ExplorerFixtures.mnistDirectory,
                                                   trainingDirectory: scratch + "/run", exportDirectory: scratch,
                                                   themeDirectory: ExplorerFixtures.themesDirectory, followDirectory: run))

        // The trainer's writes, made 1.5 s in (after the follower's first poll at 1 s).
        let second = RNNModel<Double>(task: .rowwise, hidden: 16, initialization: .pytorch, seed: 2)
        var expectedFiles: [String: Data] = [:]
        var statuses = Set<String>()
        var explorerLocked = false
        var phases = Set<TrainingStatus.Phase>()
        let started = Date()
        var wrote = false
        let outcome = app.run(signalCheck: {
            if let text = app.state.status?.text { statuses.insert(text) }
            phases.insert(app.state.training.phase)
            if Self.flockHolders(of: run).contains(getpid()) { explorerLocked = true }
            let elapsed = Date().timeIntervalSince(started)
            if !wrote, elapsed > 1.5 {
                wrote = true
                try? second.save(to: run + "/" + RunFiles.model)
                if let handle = FileHandle(forWritingAtPath: run + "/" + RunFiles.history) {
                    _ = try? handle.seekToEnd()
                    try? handle.write(contentsOf: Data("0,20,20,1.5,0.5,120,,\n".utf8))
                    try? handle.close()
                }
                expectedFiles = (try? Self.snapshot(run)) ?? [:]
            }
            usleep(2_000)
            return elapsed > 4 ? SIGTERM : nil
        })
        #expect(outcome == .signal(SIGTERM))

        // It read: the history (both rows) and the new weights.
        #expect(app.state.training.phase == .following)
        #expect(app.state.training.history.progressRows.map(\.step) == [10, 20])
        #expect(statuses.contains("the followed run wrote new weights: reloaded"), "statuses: \(statuses)")
        #expect(app.model.vanillaModel?.v == second.v)
        // `t` was refused: training belongs to the lock holder.
        #expect(statuses.contains("following \(run): its own process trains"), "statuses: \(statuses)")
        #expect(phases.isSubset(of: [.idle, .following]), "training phases seen: \(phases)")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/run"))
        // It never wrote into the run nor took its lock; the holder still has it.
        #expect(try Self.snapshot(run) == expectedFiles)
        #expect(!explorerLocked)
        #expect(Self.flockHolders(of: run) == [holder])
        #expect(try Subprocess.shell("flock -n '\(run)' true").status == 1)
    }
}
