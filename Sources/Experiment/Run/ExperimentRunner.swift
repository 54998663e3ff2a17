public import Foundation
import PluginAPI
import Spec

#if canImport(Glibc)
    import Glibc
#endif

/// What `kiln run` and `kiln validate` do with a spec file: validate it in full (the loader, then the plugins
/// against each other), then run it — one run in `NAME.run/`, or a sweep's children — and report how it ended.
///
/// ```swift
/// let runner = ExperimentRunner(catalog: try PluginCatalog(BuiltinPlugins.all), options: RunOptions())
/// let report = runner.run(specAt: URL(fileURLWithPath: "spirals-mlp.yaml"))
/// exit(report.exitCode)
/// ```
public struct ExperimentRunner: Sendable {
    /// The plugins specs may name.
    public var catalog: PluginCatalog
    /// Threads, roots, restart.
    public var options: RunOptions

    /// A runner for `catalog` with `options`.
    public init(catalog: PluginCatalog, options: RunOptions = RunOptions()) {
        self.catalog = catalog
        self.options = options
    }

    /// The result of checking a spec without running it.
    public struct Validation: Sendable, Equatable {
        /// Every problem, one per line (`file:line:col: key.path: message`); empty for a valid spec.
        public var problems: [String]
        /// How many runs the spec makes (1, or a sweep's children); 0 when invalid.
        public var runs: Int
        /// Whether the spec is a sweep.
        public var isSweep: Bool
    }

    /// Checks the spec at `url` as `kiln run` would before running anything.
    public func validate(specAt url: URL) -> Validation {
        switch load(url) {
        case .failure(let problems): Validation(problems: problems, runs: 0, isSweep: false)
        case .success(let loaded):
            if case .sweep = loaded {
                Validation(problems: [], runs: loaded.runs.count, isSweep: true)
            } else {
                Validation(problems: [], runs: 1, isSweep: false)
            }
        }
    }

    /// Validates, then runs the spec at `url`. `stop` is set by the caller's signal handling (``SignalTrap``);
    /// `trap`, when given, gets the deadline handler that records `interrupted` if a stop takes too long.
    public func run(specAt url: URL, stop: StopSignal = StopSignal(), trap: SignalTrap? = nil) -> RunReport {
        let terminal = TerminalOutput(echoesLog: options.echoLog)
        let loaded: LoadedSpec
        switch load(url) {
        case .failure(let problems): return reject(url, problems: problems)
        case .success(let spec): loaded = spec
        }
        let bytes = (try? [UInt8](Data(contentsOf: url))) ?? []
        switch loaded {
        case .single(let spec):
            return RunAttempt(
                spec: spec, folder: RunFolder(beside: url), specHash: "sha256:" + SHA256.hex(bytes), catalog: catalog,
                options: options, stop: stop, trap: trap, terminal: terminal
            ).execute()
        case .sweep(let plan):
            return SweepRunner(
                plan: plan, fileBytes: bytes, catalog: catalog, options: options, stop: stop, trap: trap,
                terminal: terminal
            ).execute()
        }
    }

    private enum Loaded {
        case success(LoadedSpec)
        case failure([String])
    }

    private func load(_ url: URL) -> Loaded {
        let loader = SpecLoader(registry: catalog.registry, dataRoots: options.dataRoots, runRoots: options.runRoots)
        let loaded = Result { () throws(SpecError) in try loader.load(contentsOf: url) }
        let problems = Preflight.allProblems(loaded, catalog: catalog)
        guard problems.isEmpty, case .success(let spec) = loaded else { return .failure(problems.map(\.description)) }
        return .success(spec)
    }

    /// Records an invalid spec in its run folder (`failed`, `invalid_spec`, the report in `validation.txt`)
    /// without touching any checkpoints there.
    private func reject(_ url: URL, problems: [String]) -> RunReport {
        let folder = RunFolder(beside: url)
        let report = problems.joined(separator: "\n")
        let bytes = (try? [UInt8](Data(contentsOf: url))) ?? []
        do {
            let lock = try FolderLock(folder, inherited: options.inheritedLock)
            defer { withExtendedLifetime(lock) {} }
            try AtomicFile.write(Data((report + "\n").utf8), to: folder.url.appendingPathComponent("validation.txt"))
            let previous = try? RunStatus.read(from: folder.status)
            try RunStatus(
                state: .failed, specHash: "sha256:" + SHA256.hex(bytes), failure: .invalidSpec, endedAt: Date(),
                heartbeatAt: Date(), pid: getpid(), attempt: previous?.attempt,
                message:
                    "the spec is invalid (\(problems.count) problem\(problems.count == 1 ? "" : "s")); "
                    + "see validation.txt"
            ).write(to: folder.status)
        } catch {
            // The report still reaches the caller; the folder is best effort.
        }
        return RunReport(
            state: .failed, failure: .invalidSpec, message: report, exitCode: KilnExitCode.invalidSpec,
            folder: folder.url)
    }
}
