import ArgumentParser
import DaemonCore
import Foundation
import Glibc
import PluginAPI

/// `kiln tail NAME`: prints a run's log and follows it until the run ends.
struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print a run's log and follow it until the run ends.",
        discussion: """
            Prints NAME.run/run.log from its start and follows it, also across daemon restarts (a new \
            attempt) and an edited spec (the old run archived, a new one started): the file is reopened \
            when it is replaced. Waits for the run folder if the spec is still queued. Stops once the \
            run reaches a final state, unless --follow.
            """)

    @Argument(help: "The run: NAME, SUB/NAME, NAME.yaml or a path to the spec.")
    var name: String

    @OptionGroup var drop: DropDirectoryOptions

    @Flag(name: .customLong("metrics"), help: "Follow metrics.jsonl (one JSON object per line) instead of run.log.")
    var metrics = false

    @Flag(name: [.customShort("f"), .customLong("follow")], help: "Keep following after the run ends (Ctrl-C stops).")
    var follow = false

    func run() async throws {
        let dropDirectory = try drop.resolve()
        let folder = try requireRun(named: name, in: dropDirectory)
        let follower = LogFollower(
            folder: folder, fileName: metrics ? "metrics.jsonl" : "run.log", stopAtFinalState: !follow)
        let final = try await follower.follow(
            output: { data in
                // The reader went away (`kiln tail x | head`): nothing left to do.
                if !Self.writeAll(data, to: 1) { Foundation.exit(0) }
            },
            notice: { notice in
                if case .opened(let path, true) = notice {
                    FileHandle.standardError.write(
                        Data("kiln tail: \(path) was replaced; following the new file\n".utf8))
                }
            })
        if let final {
            FileHandle.standardError.write(Data("kiln tail: \(folder.name) \(final.state.rawValue)\n".utf8))
        }
    }

    /// Writes all of `data` to `fd`; false when the descriptor is closed at the other end.
    static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                offset += n
            }
            return true
        }
    }
}
