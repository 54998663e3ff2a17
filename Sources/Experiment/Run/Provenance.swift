public import Foundation

/// Where and how a run was made, written to `provenance.json` and as comments at the top of
/// `spec.resolved.yaml`.
public struct Provenance: Codable, Sendable, Equatable {
    /// Kiln's version.
    public var kilnVersion: String
    /// The git commit of the spec's folder, when it is in a repository.
    public var gitCommit: String?
    /// Whether that repository had uncommitted changes.
    public var gitDirty: Bool?
    /// The host name.
    public var host: String
    /// The CPU model (`/proc/cpuinfo`).
    public var cpu: String
    /// Logical CPUs the process may use.
    public var cpuCount: Int
    /// Compute threads the run uses (`Engine.threads`): part of the bit-for-bit reproducibility contract.
    public var threads: Int
    /// The spec's seed.
    public var seed: Int
    /// The seeds of the derived random streams (data, model, batches, method), by name.
    public var streams: [String: UInt64]
    /// The command line.
    public var command: [String]
    /// When this attempt started.
    public var startedAt: Date
    /// When the run ended (set at the end).
    public var endedAt: Date?

    enum CodingKeys: String, CodingKey {
        case kilnVersion = "kiln_version"
        case gitCommit = "git_commit"
        case gitDirty = "git_dirty"
        case host, cpu
        case cpuCount = "cpu_count"
        case threads, seed, streams, command
        case startedAt = "started_at"
        case endedAt = "ended_at"
    }

    /// Collects everything but the seeds' streams for a run of the spec in `specDirectory`.
    static func collect(
        kilnVersion: String, specDirectory: URL, threads: Int, seed: Int, streams: [String: UInt64]
    ) -> Provenance {
        let git = gitState(of: specDirectory)
        return Provenance(
            kilnVersion: kilnVersion, gitCommit: git?.commit, gitDirty: git?.dirty,
            host: ProcessInfo.processInfo.hostName, cpu: cpuModel(),
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            threads: threads, seed: seed, streams: streams, command: CommandLine.arguments, startedAt: Date())
    }

    /// The lines put at the top of `spec.resolved.yaml`, each starting with `# `.
    var yamlComment: String {
        var lines = ["provenance:", "  kiln_version: \(kilnVersion)"]
        if let gitCommit {
            lines.append("  git_commit: \(gitCommit)\(gitDirty == true ? " (uncommitted changes)" : "")")
        }
        lines += [
            "  host: \(host)", "  cpu: \(cpu) (\(cpuCount) logical)", "  threads: \(threads)", "  seed: \(seed)",
            "  streams: " + streams.keys.sorted().map { "\($0)=\(streams[$0]!)" }.joined(separator: ", "),
            "  started_at: \(RunLogSink.timestamp(startedAt))",
        ]
        if let endedAt { lines.append("  ended_at: \(RunLogSink.timestamp(endedAt))") }
        return lines.map { "# " + $0 }.joined(separator: "\n") + "\n"
    }

    /// JSON with sorted keys and ISO 8601 dates.
    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let value = line.split(separator: ":", maxSplits: 1).last {
                return value.trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// `git rev-parse HEAD` and whether `git status --porcelain` lists anything, or nil outside a repository
    /// (or without git).
    static func gitState(of directory: URL) -> (commit: String, dirty: Bool)? {
        guard let commit = git(["rev-parse", "HEAD"], in: directory), !commit.isEmpty else { return nil }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: directory)
        return (commit, !(status ?? "").isEmpty)
    }

    private static func git(_ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
