import ArgumentParser
import DaemonCore
import Foundation
import Glibc
import KilnServe

/// `kilnd`: what `kiln serve` becomes. The same daemon, in an executable that links neither the engine nor
/// the plugins, so the long-lived process stays small; specs are checked by a `kiln check-specs` helper and
/// run by `kiln run`, both from the `kiln` given with `--kiln`.
@main
struct KilnDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kilnd",
        abstract: "The kiln serve daemon; start it as `kiln serve` (see `kiln serve --help`).",
        version: KilnVersion.string)

    @OptionGroup var options: ServeOptions

    @Option(name: .customLong("kiln"), help: "The kiln executable that checks and runs specs.")
    var kiln: String

    func run() async throws {
        // A write to a closed pipe (a spec checker that just exited) must be an error, not death.
        signal(SIGPIPE, SIG_IGN)
        let kiln = self.kiln
        try await ServeMain.run(options, runExecutable: kiln) { settings, logger in
            SpecCheckerValidator(
                kiln: kiln, dropDirectory: settings.dropDirectoryURL, dataRoots: settings.dataRoots, logger: logger)
        }
    }
}
