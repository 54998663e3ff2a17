public import ArgumentParser
public import Experiment
import Foundation
import KilnServe
import Synchronization

/// The `kiln` command: every subcommand of the one executable.
public struct KilnCLI: AsyncParsableCommand {
    /// The subcommands; `kiln --help` shows them.
    public static let configuration = CommandConfiguration(
        commandName: "kiln",
        abstract: "Kiln: experiments from YAML specs on Kiln's own tensor engine.",
        version: KilnVersion.string,
        subcommands: [
            RunCommand.self, ValidateCommand.self, PluginsCommand.self, SchemaCommand.self, ServeCommand.self,
            StatusCommand.self, CancelCommand.self, TailCommand.self, WaitCommand.self, DemoCommand.self,
            BenchCommand.self, BenchDaemonCommand.self, CheckSpecsCommand.self,
        ])

    /// Made by ArgumentParser.
    public init() {}
}

extension KilnCLI {
    /// Entry point for `kiln` executables: the built-in one passes ``BuiltinPlugins/all``; a third-party build
    /// passes that list plus its own plugin types. Never returns.
    ///
    /// ```swift
    /// await KilnCLI.main(plugins: BuiltinPlugins.all + [LionPlugin.self])
    /// ```
    public static func main(plugins: [any KilnPlugin.Type]) async -> Never {
        // A write to a closed pipe (a reader of `kiln plugins | head` going away) must not kill the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            let catalog = try PluginCatalog(plugins)
            CLIPlugins.catalog.withLock { $0 = catalog }
        } catch {
            FileHandle.standardError.write(Data("kiln: \(error)\n".utf8))
            Foundation.exit(KilnExitCode.cannotStart)
        }
        await main()
        Foundation.exit(0)
    }

    /// Entry point with the built-in plugins only.
    public static func start() async -> Never { await main(plugins: BuiltinPlugins.all) }
}

/// The catalog `main(plugins:)` was given, for the subcommands ArgumentParser creates.
enum CLIPlugins {
    static let catalog = Mutex<PluginCatalog?>(nil)

    /// The catalog, or the built-ins when a command runs without `main(plugins:)` (tests parsing commands).
    static var current: PluginCatalog {
        get throws {
            if let catalog = catalog.withLock({ $0 }) { return catalog }
            return try PluginCatalog(BuiltinPlugins.all)
        }
    }
}
