public import Foundation
public import PluginAPI

/// A settings file read the way specs are read: the same size and alias limits, the same checks of
/// unknown keys (with "did you mean"), types, ranges and choices, and every problem located as
/// `file:line:col: key.path: message`.
///
/// Any ``PluginConfig`` type describes the file's keys, defaults and documentation; `kiln serve` reads
/// its daemon settings (`DaemonConfig`) with it.
///
/// ```swift
/// do {
///     let file = try ConfigFile<DaemonConfig>.load(contentsOf: URL(fileURLWithPath: "/etc/kiln/kiln.yaml"))
///     start(file.config)
/// } catch {
///     print(error)   // /etc/kiln/kiln.yaml:4:1: concurrency: must be >= 1 (got 0)
/// }
/// ```
public struct ConfigFile<Config: PluginConfig>: Sendable {
    /// The decoded settings: the file's values over the type's defaults.
    public var config: Config
    /// The keys and values exactly as the file gives them (YAML spelling), without defaults.
    public var given: ConfigObject

    /// Reads and checks the file at `url`; a missing, unreadable or oversized file is a problem too.
    /// - Throws: ``SpecError`` listing every problem found.
    public static func load(contentsOf url: URL, maxBytes: Int = 1 << 20) throws(SpecError) -> Self {
        let reader = YAMLReader(maxBytes: maxBytes, maxNodes: 100_000, file: url.relativePath)
        return try resolve(try reader.read(url), file: url.relativePath)
    }

    /// Checks settings given as text, reporting problems against the name `file`.
    /// - Throws: ``SpecError`` listing every problem found.
    public static func load(yaml: String, file: String, maxBytes: Int = 1 << 20) throws(SpecError) -> Self {
        let reader = YAMLReader(maxBytes: maxBytes, maxNodes: 100_000, file: file)
        return try resolve(try reader.parse(yaml), file: file)
    }

    private static func resolve(_ root: SourceNode, file: String) throws(SpecError) -> Self {
        let given: ConfigObject
        switch root.content {
        case .mapping: given = root.object()
        case .scalar(.null): given = ConfigObject()  // an empty file (or only comments): all defaults
        default:
            throw SpecError(
                file: file,
                problems: [
                    SpecProblem(
                        .wrongType, file: file, at: root.location,
                        "a settings file must be a mapping of keys, found \(root.value.typeDescription)")
                ])
        }
        let resolution = Config.resolve(given)
        guard let config = resolution.config as? Config, resolution.problems.isEmpty else {
            let problems = resolution.problems.map { p in
                SpecProblem(
                    .init(p.kind), file: file, at: root.location(of: p.path, atKey: p.kind == .unknownKey),
                    keyPath: p.path, p.message, suggestions: p.suggestions)
            }
            throw SpecError(
                file: file,
                problems: problems.isEmpty
                    ? [SpecProblem(.invalidValue, file: file, at: root.location, "the settings do not decode")]
                    : problems)
        }
        return ConfigFile(config: config, given: given)
    }
}
