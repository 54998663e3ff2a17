import ArgumentParser
import DaemonCore
import Foundation
import PluginAPI

/// `kiln status [DIR]`: every run in a drop directory, read from the run folders (no daemon needed).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the state of every run in a drop directory.",
        discussion: """
            Reads NAME.run/status.json beside each spec, so it works whether or not a daemon is running. \
            A run shown as `running?` has no live process holding its lock, or a heartbeat older than \
            five minutes.
            """)

    @Argument(help: "The drop directory (default: --drop, $KILN_DROP, the settings file, /var/lib/kiln/drop).")
    var directory: String?

    @OptionGroup var drop: DropDirectoryOptions

    @Flag(name: .customLong("json"), help: "Print JSON: {\"runs\": [{\"name\", \"status\", ...}]}.")
    var json = false

    func run() throws {
        let url = try directory.map(DropDirectoryOptions.absolute) ?? drop.resolve()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIFailure("no drop directory at \(url.path)")
        }
        let report = StatusReport.collect(dropDirectory: url)
        print(json ? try report.renderJSON() : report.renderTable(), terminator: "")
    }
}
