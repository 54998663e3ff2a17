import ArgumentParser
import DaemonCore
import Experiment
import Foundation

/// `kiln check-specs` (hidden): the daemon's spec checker. `kilnd` has no plugins, so it starts this
/// while specs arrive and asks it about each one: a `SpecCheckRequest` JSON line on stdin, a
/// `SpecCheckResponse` line back on stdout (see `SpecCheckerValidator`). It exits at end of input, or after
/// `--idle-seconds` without a request, so an idle daemon keeps no helper.
struct CheckSpecsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-specs", abstract: "Answer kilnd's spec checks (JSON lines on stdin and stdout).",
        shouldDisplay: false)

    @Option(name: .customLong("drop"), help: "The drop directory the specs are in.")
    var drop: String

    @Option(name: .customLong("idle-seconds"), help: "Exit after this long without a request.")
    var idleSeconds: Double = 60

    func run() throws {
        let catalog = try CLIPlugins.current
        let validator = SpecLoaderValidator(
            catalog: catalog, dropDirectory: URL(fileURLWithPath: drop, isDirectory: true), dataRoots: [])
        var roots: [String] = []
        var pipe = LinePipe(input: 0, output: 1)
        let idle = Duration.seconds(max(0.1, idleSeconds))
        while let line = pipe.receive(within: idle) {
            let verdict: SpecVerdict
            do {
                let request = try JSONDecoder().decode(SpecCheckRequest.self, from: line)
                if request.dataRoots != roots {
                    roots = request.dataRoots
                    validator.reconfigure(dataRoots: roots)
                }
                verdict = validator.validate(specAt: URL(fileURLWithPath: request.spec), contents: request.contents)
            } catch {
                verdict = .invalid(problems: ["kiln check-specs: unreadable request: \(error)"])
            }
            let answer = try JSONEncoder().encode(SpecCheckResponse(verdict))
            guard pipe.send(answer, within: .seconds(60)) else { return }
        }
    }
}
