import ArgumentParser
import Experiment
import Foundation
import PluginAPI
import Spec

/// `kiln plugins [ID] [--json]`: the compiled-in plugins, or one of them with every key.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the plugins, or show one with every key, type, default and doc.")

    @Argument(help: "A plugin id (optim.adamw) to show in full.")
    var id: String?

    @Flag(help: "JSON instead of text.")
    var json = false

    func run() throws {
        let registry = try CLIPlugins.current.registry
        guard let id else {
            print(json ? registry.jsonValue().jsonText() : registry.listingText, terminator: json ? "\n" : "")
            return
        }
        guard let descriptor = registry[id] else {
            let close = registry.suggestions(for: id)
            let hint =
                close.isEmpty
                ? "`kiln plugins` lists them" : "did you mean " + close.map { "'\($0)'" }.joined(separator: ", ") + "?"
            FileHandle.standardError.write(Data("kiln: no plugin '\(id)'; \(hint)\n".utf8))
            throw ExitCode(KilnExitCode.invalidSpec)
        }
        print(
            json ? descriptor.jsonValue(includingFields: true).jsonText() : descriptor.detailText,
            terminator: json ? "\n" : "")
    }
}

/// `kiln schema`: the JSON Schema of the whole spec format for the compiled-in plugins.
struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the spec format (for editors), covering every compiled-in plugin.")

    func run() throws {
        print(SpecSchema.jsonText(for: try CLIPlugins.current.registry), terminator: "")
    }
}
