public import ArgumentParser
import Foundation
public import PluginAPI

/// The `kiln` command: every subcommand of the one executable.
public struct KilnCLI: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: experiments from YAML specs on Kiln's own tensor engine.",
        version: KilnVersion.string,
        subcommands: [
            DemoCommand.self, BenchCommand.self, ServeCommand.self, StatusCommand.self, CancelCommand.self,
            TailCommand.self, WaitCommand.self, BenchDaemonCommand.self,
        ])

    public init() {}
}

extension KilnCLI {
    /// Entry point for `kiln` executables (the built-in one and third-party builds): registers the
    /// plugins the executable was built with (see ``PluginCatalog``), then runs the command line.
    ///
    /// ```swift
    /// // kiln/main.swift
    /// await KilnCLI.main(plugins: builtins + [MyOptimizer.descriptor])
    /// ```
    public static func main(plugins: [PluginDescriptor]) async {
        PluginCatalog.register(plugins)
        await start()
    }

    /// Runs the command line with the plugins registered so far.
    public static func start() async {
        // A write to a closed pipe (a reader of `kiln status | head` going away) must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        await main()
    }
}
