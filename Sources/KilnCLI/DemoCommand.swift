import ArgumentParser

/// `kiln demo`: the embedded default job (filled in once the NN layer lands).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Train the built-in example.")
    func run() throws { print("demo: not yet wired") }
}
