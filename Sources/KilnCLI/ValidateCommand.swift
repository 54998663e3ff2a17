import ArgumentParser
import Experiment
import Foundation

/// `kiln validate SPEC`: every problem `kiln run` would refuse the spec for, without running anything.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a spec without running it; exits 2 with the report if it is invalid.",
        discussion: "Each problem is one line: file:line:column: key.path: message.")

    @Argument(help: "The spec file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String

    @Option(
        name: .customLong("data-root"),
        help: "A folder data paths may point into (repeatable; default: the spec's folder).")
    var dataRoots: [String] = []

    @Option(
        name: .customLong("run-root"),
        help: "A folder start_from may point into (repeatable; default: the spec's folder).")
    var runRoots: [String] = []

    func run() throws {
        let options = RunOptions(
            dataRoots: dataRoots.map(RunCommand.url) + RunCommand.environmentRoots("KILN_DATA_ROOTS"),
            runRoots: runRoots.map(RunCommand.url) + RunCommand.environmentRoots("KILN_RUN_ROOTS"))
        let validation = ExperimentRunner(catalog: try CLIPlugins.current, options: options)
            .validate(specAt: RunCommand.url(spec))
        if validation.problems.isEmpty {
            let what = validation.isSweep ? "a sweep of \(validation.runs) runs" : "1 run"
            print("\(spec): valid (\(what))")
            return
        }
        print(validation.problems.joined(separator: "\n"))
        let n = validation.problems.count
        FileHandle.standardError.write(Data("\(spec): invalid (\(n) problem\(n == 1 ? "" : "s"))\n".utf8))
        throw ExitCode(KilnExitCode.invalidSpec)
    }
}
