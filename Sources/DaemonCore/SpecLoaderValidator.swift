public import Foundation
public import PluginAPI
public import Spec
import Synchronization

/// The daemon's real spec check: the `Spec` target's loader, against the plugins this `kiln` was built
/// with, on the exact bytes the daemon hashed. A valid spec's `priority` orders the queue.
///
/// Problems name the spec relative to the drop directory (`sub/name.yaml:4:3: model.hiden: unknown key
/// 'hiden'; did you mean 'hidden'?`). Data paths must stay inside the data roots (the spec's own folder
/// when none are configured); `start_from` checkpoints inside the drop directory.
///
/// With no plugins registered only the reading stage can be checked (size, UTF-8, YAML syntax, alias
/// budget): every plugin id would be unknown, so such a `kiln` accepts any well-formed YAML and leaves
/// the rest to the child. `kiln serve` logs a warning when it starts that way.
public final class SpecLoaderValidator: SpecValidating {
    /// Every problem of a load's result, the loader's and any found by checking the plugins against each other
    /// (which needs the plugins' code, not only their descriptors: `kiln` passes Experiment's preflight).
    public typealias ProblemFinder = @Sendable (Result<LoadedSpec, SpecError>) -> [SpecProblem]

    private let loader: Mutex<SpecLoader>
    private let dropDirectory: URL
    private let findProblems: ProblemFinder

    /// Problem kinds found before any plugin is consulted.
    static let readingKinds: Set<SpecProblem.Kind> = [.unreadable, .tooLarge, .aliasBudget, .syntax]

    /// A validator for specs in `dropDirectory`, checking against `registry`; `findProblems` defaults to the
    /// loader's problems alone.
    public init(
        registry: PluginRegistry, dropDirectory: URL, dataRoots: [String],
        findProblems: @escaping ProblemFinder = SpecLoaderValidator.loaderProblems
    ) {
        let drop = dropDirectory.standardizedFileURL
        self.dropDirectory = drop
        self.findProblems = findProblems
        loader = Mutex(
            SpecLoader(
                registry: registry, dataRoots: dataRoots.map { URL(fileURLWithPath: $0, isDirectory: true) },
                runRoots: [drop]))
    }

    /// The loader's problems alone.
    public static func loaderProblems(_ loaded: Result<LoadedSpec, SpecError>) -> [SpecProblem] {
        if case .failure(let error) = loaded { return error.problems }
        return []
    }

    /// True when no plugin is registered, so only YAML syntax is checked.
    public var checksSyntaxOnly: Bool { loader.withLock { $0.registry.plugins.isEmpty } }

    /// Changes the data roots for specs validated from now on (SIGHUP).
    public func reconfigure(dataRoots: [String]) {
        let roots = dataRoots.map { URL(fileURLWithPath: $0, isDirectory: true) }
        loader.withLock { $0.dataRoots = roots }
    }

    public func validate(specAt url: URL, contents: Data) -> SpecVerdict {
        guard let text = String(data: contents, encoding: .utf8) else {
            return .invalid(problems: ["\(displayName(url)): the spec is not valid UTF-8 text"])
        }
        let loader = self.loader.withLock { $0 }
        let loaded = Result { () throws(SpecError) in try loader.load(yaml: text, file: displayURL(url)) }
        var problems = findProblems(loaded)
        if case .success(let spec) = loaded, problems.isEmpty {
            switch spec {
            case .single(let spec): return .valid(priority: spec.priority)
            case .sweep(let plan): return .valid(priority: plan.children.first?.spec.priority ?? 0)
            }
        }
        if loader.registry.plugins.isEmpty {
            problems = problems.filter { Self.readingKinds.contains($0.kind) }
            if problems.isEmpty { return .valid }
        }
        return .invalid(problems: problems.map(\.description))
    }

    /// The spec as a URL relative to the drop directory, so problems read `name.yaml:3:5: ...` while
    /// relative paths in the spec still resolve against its real folder.
    private func displayURL(_ url: URL) -> URL {
        let name = displayName(url)
        return name.hasPrefix("/") ? url : URL(fileURLWithPath: name, relativeTo: dropDirectory)
    }

    private func displayName(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let prefix = dropDirectory.path.hasSuffix("/") ? dropDirectory.path : dropDirectory.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
