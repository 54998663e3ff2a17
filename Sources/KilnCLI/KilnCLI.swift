public import ArgumentParser
import Foundation

/// The `kiln` command: every subcommand of the one executable.
public struct KilnCLI: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: experiments from YAML specs on Kiln's own tensor engine.",
        version: KilnVersion.string,
        subcommands: [DemoCommand.self, BenchCommand.self])

    public init() {}
}

extension KilnCLI {
    /// Entry point for `kiln` executables (the built-in one and third-party builds).
    public static func start() {
        // A write to a closed pipe (a reader of `kiln status | head` going away) must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        main()
    }
}
