import ArgumentParser
import DaemonCore
import Foundation
import PluginAPI

/// `kiln wait NAME`: blocks until a run reaches a final state; the exit status says which.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for a run to finish; the exit status tells how it ended.",
        discussion: """
            Exit status: 0 succeeded, 2 failed, 3 cancelled, 4 rejected (invalid spec), 124 timed out, \
            1 for any other error (no such run, unreadable drop directory). A run interrupted by a daemon \
            shutdown is not finished: waiting goes on until it resumes and ends. Prints `NAME: STATE \
            (message)` once it is over.
            """)

    /// What each final state exits with.
    enum Outcome: Int32, CaseIterable {
        case succeeded = 0
        case error = 1
        case failed = 2
        case cancelled = 3
        case rejected = 4
        case timedOut = 124

        init(_ state: RunStatus.State) {
            switch state {
            case .succeeded: self = .succeeded
            case .failed: self = .failed
            case .cancelled: self = .cancelled
            case .rejected: self = .rejected
            case .queued, .running, .interrupted: self = .error
            }
        }
    }

    @Argument(help: "The run: NAME, SUB/NAME, NAME.yaml or a path to the spec.")
    var name: String

    @OptionGroup var drop: DropDirectoryOptions

    @Option(name: .customLong("timeout"), help: "Give up after this many seconds (exit 124).")
    var timeout: Double?

    @Flag(name: .customLong("quiet"), help: "Print nothing; only the exit status tells.")
    var quiet = false

    func validate() throws {
        if let timeout, !(timeout >= 0) { throw ValidationError("--timeout must be zero or more seconds") }
    }

    func run() async throws {
        let dropDirectory = try drop.resolve()
        let folder = try requireRun(named: name, in: dropDirectory)
        let status = try await Self.waitForFinal(folder: folder, dropDirectory: dropDirectory, timeout: timeout)
        if !quiet { print("\(folder.name): \(status.state.rawValue)" + (status.message.map { " (\($0))" } ?? "")) }
        let outcome = Outcome(status.state)
        if outcome != .succeeded { throw ExitCode(outcome.rawValue) }
    }

    /// The run's final status; exits 124 on timeout.
    static func waitForFinal(folder: RunFolder, dropDirectory: URL, timeout: Double?) async throws -> RunStatus {
        do {
            return try await RunControl.waitForStatus(
                name: folder.name, dropDirectory: dropDirectory,
                timeout: timeout.map { .milliseconds(Int64($0 * 1000)) })
        } catch DaemonError.timedOut {
            FileHandle.standardError.write(Data("kiln: timed out waiting for \(folder.name)\n".utf8))
            throw ExitCode(Outcome.timedOut.rawValue)
        }
    }
}
