import Foundation
import Linalg
import MNIST
@testable import RNN
import TestSupport
import Testing

/// History repair, the run-folder lock, and atomic writes to links, devices and FIFOs.
@Suite struct RunFolderReliabilityTests {
    let dir = makeTemporaryDirectory("ftle-runfolder")
    let header = RunFiles.historyHeader

    func repaired(_ text: [UInt8], step: Int) -> (String, HistoryRepair) {
        let (bytes, repair) = TrainingHistory.repaired(text, throughStep: step)
        return (String(decoding: bytes, as: UTF8.self), repair)
    }

    @Test func historyIsRepairedNeverTruncated() {
        let rows = ["0,1,1,2.3,0.1,100,,", "0,2,2,2.2,0.2,100,,", "0,2,2,,,,2.1,0.3"]
        // CRLF line ends: every row survives (they were all lost before).
        var (text, repair) = repaired(Array((([header] + rows).joined(separator: "\r\n") + "\r\n").utf8), step: 10)
        #expect(text == ([header] + rows).joined(separator: "\n") + "\n")
        #expect(repair.crlfLines == 4 && repair.description == "converted 4 CRLF line ends")
        // One invalid UTF-8 byte: the line is kept as it is, the rows around it too.
        let bad: [UInt8] = Array("\(header)\n\(rows[0])\n".utf8) + [0x30, 0xff, 0x0a] + Array("\(rows[1])\n".utf8)
        let (bytes, r2) = TrainingHistory.repaired(bad, throughStep: 10)
        #expect(bytes == bad)
        #expect(r2.invalidUTF8Lines == 1)
        #expect(TrainingHistory(bytes: bad).rows.count == 2)
        // The last test row written twice, a row after the checkpoint, a partial last row.
        (text, repair) = repaired(Array(([header] + rows + [rows[2], "1,1,3,2.0,0.4,100,,", "1,2,4,1.9"]).joined(separator: "\n").utf8), step: 2)
        #expect(text == ([header] + rows).joined(separator: "\n") + "\n")
        #expect(repair.duplicateRows == 1 && repair.partialLastRow && repair.rowsAfterCheckpoint == 1)
        #expect(repair.description == "removed 1 duplicate row, dropped a partial last row, dropped 1 row written after the checkpoint")
        // Unknown lines stay where they were; an intact history needs no repair.
        (text, repair) = repaired(Array(([header, "# note", rows[0]].joined(separator: "\n") + "\n").utf8), step: 5)
        #expect(text == [header, "# note", rows[0]].joined(separator: "\n") + "\n" && repair.unknownLinesKept == 1)
        (text, repair) = repaired(Array(([header] + rows).joined(separator: "\n").appending("\n").utf8), step: 5)
        #expect(repair.isEmpty)
        // TrainingHistory reads CRLF text too.
        #expect(TrainingHistory(csv: ([header] + rows).joined(separator: "\r\n")).rows.count == 3)
    }

    @Test func aSecondWriterIsRefusedWithTheHoldersPid() throws {
        let folder = RunFolder(dir + "/locked")
        try folder.prepare()
        #expect(RunLock.holder(of: folder.path) == nil)
        var lock: RunLock? = try folder.lock()
        #expect(RunLock.holder(of: folder.path) == getpid(), "/proc/locks names this process")
        // Another process cannot take it (flock(1) -n fails with status 1) …
        #expect(try Subprocess.shell("flock -n '\(folder.path)' true").status == 1)
        // … while this process shares it, and releases it with its last holder.
        var second: RunLock? = try folder.lock()
        lock = nil
        #expect(try Subprocess.shell("flock -n '\(folder.path)' true").status == 1)
        second = nil
        #expect(try Subprocess.shell("flock -n '\(folder.path)' true").status == 0)
        withExtendedLifetime((lock, second)) {}
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty, "no lock file")
        #expect(RunFolderError.locked(folder: "/r", pid: 42).description == "/r is in use by another ftle process (pid 42); wait for it to finish or stop it")
    }

    @Test func atomicWritesKeepLinksAndNeverReplaceDevicesOrFIFOs() throws {
        // A symbolic link to a regular file stays a link; its target gets the content.
        let target = dir + "/target.txt", link = dir + "/link.txt"
        try writeFileAtomically(target, text: "old")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.txt")
        try writeFileAtomically(link, text: "new")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.txt")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
        // A dangling link: the file it names is created.
        let dangling = dir + "/dangling.txt"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "made.txt")
        try writeFileAtomically(dangling, text: "made")
        #expect(try String(contentsOfFile: dir + "/made.txt", encoding: .utf8) == "made")
        // /dev/null is written, not replaced; /dev/full fails with ENOSPC and stays a device.
        try writeFileAtomically("/dev/null", text: "x")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        #expect(throws: OutputFileError(path: "/dev/full", errno: ENOSPC)) { try writeFileAtomically("/dev/full", text: "x") }
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
        // A FIFO without a reader is refused at once; with a reader it is written in place.
        let fifo = dir + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: OutputFileError(path: fifo, reason: "a FIFO with no reader", errorNumber: ENXIO)) { try writeFileAtomically(fifo, text: "x") }
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        try writeFileAtomically(fifo, text: "through")
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(reader, &buffer, 16) == 7)
        #expect(lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
        // A folder is refused.
        #expect(throws: OutputFileError(path: dir, reason: "is a directory")) { try writeFileAtomically(dir, text: "x") }
    }

    @Test func inputsMustBeRegularFiles() throws {
        let fifo = dir + "/input-fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: FileFormatError(path: fifo, "is a FIFO, not a regular file")) { try readInputFile(fifo) }
        #expect(throws: FileFormatError(path: "/dev/zero", "is a character device, not a regular file")) { try SafeTensorsFile(contentsOf: "/dev/zero") }
        #expect(throws: DataFileError(path: "/dev/zero", .notRegular("a character device"))) { try readFileBytes("/dev/zero") }
    }
}

/// fuzz-history's finding: a row with an invalid UTF-8 byte was kept as an unknown line by
/// the repair but read as a row by the reader, so a duplicate of it survived the repair.
@Suite struct HistoryFuzzRegressionTests {
    @Test func aRowWithInvalidUTF8IsStillARow() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/fuzz/history/crash-1-invalid-utf8-row.csv")
        let bytes = try [UInt8](Data(contentsOf: fixture))
        let step = Int(bytes[0]) % 16
        let (once, _) = TrainingHistory.repaired(bytes, throughStep: step)
        #expect(TrainingHistory.repaired(once, throughStep: step).bytes == once)
        let rows = TrainingHistory(bytes: once).rows
        #expect(!rows.isEmpty && Set(rows.map(\.identity)).count == rows.count)
    }
}
