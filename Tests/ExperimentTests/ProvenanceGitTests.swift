import Experiment
import Foundation
import PluginAPI
import Testing

/// A run whose spec sits in a git repository records the commit, and whether tracked files had changes, in
/// `provenance.json` and in the header of `spec.resolved.yaml`: real `git init` and commits in a temp folder.
///
/// git is not among the packages `scripts/ensure-deps` installs, so the suite is skipped where it is missing.
@Suite(.serialized, .enabled(if: Git.executable != nil, "git is not installed"))
struct ProvenanceGitTests {
    static let spec = """
        data: {dataset: data.blobs, classes: 2, train_per_class: 20, test_per_class: 10}
        model: {plugin: model.mlp, hidden: [8]}
        optimizer: {plugin: optim.sgd}
        train: {method: train.supervised, steps: 3, batch: 8}
        """

    @Test func aCleanAndADirtyCheckoutAreRecordedWithTheirCommit() async throws {
        let dir = TemporaryDirectory()
        try Git.run(["init", "-q"], in: dir.url)
        dir.write("clean.yaml", text: Self.spec)
        dir.write("notes.txt", text: "first\n")
        try Git.run(["add", "clean.yaml", "notes.txt"], in: dir.url)
        try Git.run(["commit", "-q", "-m", "specs"], in: dir.url)
        let head = try Git.run(["rev-parse", "HEAD"], in: dir.url)
        #expect(head.count == 40)

        // The run writes its folder beside the spec; untracked files do not make the checkout dirty.
        let (clean, cleanFolder) = await RunHarness.run(Self.spec, name: "clean", in: dir)
        #expect(clean.state == .succeeded, "\(clean.message)")
        let recorded = try Self.provenance(cleanFolder)
        #expect(recorded["git_commit"] as? String == head)
        #expect(recorded["git_dirty"] as? Bool == false)
        let header = try String(contentsOf: cleanFolder.resolvedSpec, encoding: .utf8)
        #expect(header.split(separator: "\n").contains("#   git_commit: \(head)"), "\(header)")

        // A change to a tracked file, not committed: same commit, marked dirty.
        dir.write("notes.txt", text: "second\n")
        let (dirty, dirtyFolder) = await RunHarness.run(Self.spec, name: "dirty", in: dir)
        #expect(dirty.state == .succeeded, "\(dirty.message)")
        let dirtyRecord = try Self.provenance(dirtyFolder)
        #expect(dirtyRecord["git_commit"] as? String == head)
        #expect(dirtyRecord["git_dirty"] as? Bool == true)
        let dirtyHeader = try String(contentsOf: dirtyFolder.resolvedSpec, encoding: .utf8)
        #expect(
            dirtyHeader.split(separator: "\n").contains("#   git_commit: \(head) (uncommitted changes)"),
            "\(dirtyHeader)")
    }

    static func provenance(_ folder: RunFolder) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.provenance)) as? [String: Any])
    }
}

/// The `git` command, found on `PATH`.
enum Git {
    static let executable: URL? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        .split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("git") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `git arguments` in `directory` with a fixed identity and no user or system configuration; returns
    /// its trimmed standard output.
    @discardableResult
    static func run(_ arguments: [String], in directory: URL) throws -> String {
        guard let git = executable else { throw Failure(description: "git is not installed") }
        let process = Process()
        process.executableURL = git
        process.arguments = ["-c", "user.name=Kiln Test", "-c", "user.email=kiln@example.invalid"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "git \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
