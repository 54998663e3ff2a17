import ArgumentParser
import DaemonCore
import Foundation
import PluginAPI

/// `kiln cancel NAME`: asks the daemon to stop a run, through a `NAME.cancel` file in the drop directory.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel a queued or running run.",
        discussion: """
            Drops NAME.cancel beside the spec. The daemon stops the run (SIGTERM, then SIGKILL after the \
            grace period), records `cancelled` and removes the request; outputs stay in NAME.run/. \
            Deleting the spec has the same effect. NAME is the spec's name without .yaml, SUB/NAME for a \
            spec in a subfolder, or a path to the spec.
            """)

    @Argument(help: "The run: NAME, SUB/NAME, NAME.yaml or a path to the spec.")
    var name: String

    @OptionGroup var drop: DropDirectoryOptions

    @Flag(name: .customLong("wait"), help: "Wait until the run has stopped, then print its final state.")
    var wait = false

    @Option(name: .customLong("timeout"), help: "With --wait: give up after this many seconds (exit 124).")
    var timeout: Double?

    func run() async throws {
        let dropDirectory = try drop.resolve()
        let folder = try requireRun(named: name, in: dropDirectory)
        if let status = folder.readStatus(), status.state.isFinal,
            let spec = try? Data(contentsOf: folder.spec), status.specHash == SpecIdentity(contents: spec).contentHash
        {
            print("kiln: \(folder.name) already ended (\(status.state.rawValue)); nothing to cancel")
            return
        }
        let request = try RunControl.requestCancel(name: name, dropDirectory: dropDirectory)
        print("kiln: cancel requested for \(folder.name) (\(request.lastPathComponent))")
        guard wait else { return }
        let status = try await WaitCommand.waitForFinal(folder: folder, dropDirectory: dropDirectory, timeout: timeout)
        print("\(folder.name): \(status.state.rawValue)" + (status.message.map { " (\($0))" } ?? ""))
    }
}
