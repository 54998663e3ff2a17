import Foundation

/// What the registry, the spec loader, `kiln plugins` and the JSON Schema know about a plugin.
///
/// Engine-backed plugin protocols (in `Experiment`) carry one as `static let descriptor`; this module
/// never sees the engine. The initializer does not throw so it can sit in a `static let`; the
/// registry rejects a descriptor whose ``definitionProblems`` is not empty.
public struct PluginDescriptor: Sendable {
    /// `kind.name`, lowercase with hyphens: `optim.adamw`, `stage.prune-vpn`.
    public let id: String
    /// The slot the plugin fills.
    public let kind: PluginKind
    /// The plugin's version, `MAJOR.MINOR.PATCH`.
    public let version: String
    /// One line saying what the plugin does.
    public let summary: String
    /// The plugin's configuration type.
    public let configType: any PluginConfig.Type
    /// The configuration's defaults (empty when the type cannot encode them; see ``definitionProblems``).
    public let defaults: ConfigObject
    /// Every configuration key, in declaration order.
    public let fields: [FieldDescription]
    /// Everything wrong with this descriptor; empty for a usable one.
    public let definitionProblems: [String]

    /// Describes a plugin. Problems are recorded, not thrown, and surface at registration.
    public init(id: String, kind: PluginKind, version: String, summary: String, config: any PluginConfig.Type) {
        self.id = id
        self.kind = kind
        self.version = version
        self.summary = summary
        self.configType = config
        var problems = Self.idProblems(id, kind: kind)
        if version.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$"#, options: .regularExpression) == nil {
            problems.append("version '\(version)' is not MAJOR.MINOR.PATCH")
        }
        if summary.trimmingCharacters(in: .whitespaces).isEmpty || summary.contains(where: \.isNewline) {
            problems.append("summary must be one non-empty line")
        }
        var defaults = ConfigObject()
        var fields: [FieldDescription] = []
        do {
            defaults = try config.defaultTree()
            fields = try config.fieldDescriptions()
            problems += try config.documentationProblems()
            let clashes = defaults.keys.filter(kind.reservedKeys.contains)
            if !clashes.isEmpty {
                problems.append("config keys \(clashes.sorted()) are reserved by the spec in a \(kind) slot")
            }
        } catch {
            problems.append("\(error)")
        }
        self.defaults = defaults
        self.fields = fields
        definitionProblems = problems
    }

    /// The id without its kind prefix: `adamw` for `optim.adamw`.
    public var name: String { String(id.drop(while: { $0 != "." }).dropFirst()) }

    /// Resolves a configuration given in a spec; see ``PluginConfig/resolve(_:otherKeys:paths:)``.
    public func resolveConfig(
        _ user: ConfigObject, otherKeys: [String] = [], paths: PathResolver? = nil
    ) -> ConfigResolution {
        configType.resolve(user, otherKeys: otherKeys, paths: paths)
    }

    /// The default configuration, decoded; for plugins that need no spec keys.
    public func defaultConfig() -> any PluginConfig { configType.init() }

    private static func idProblems(_ id: String, kind: PluginKind) -> [String] {
        let parts = id.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return ["id '\(id)' must be 'kind.name' with exactly one dot"] }
        var problems: [String] = []
        if parts[0] != kind.idPrefix {
            problems.append("id '\(id)' must start with '\(kind.idPrefix).' for a \(kind) plugin")
        }
        if parts[1].range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) == nil {
            problems.append("name '\(parts[1])' must be lowercase letters and digits, words joined by single hyphens")
        }
        return problems
    }
}

extension PluginDescriptor: CustomStringConvertible {
    /// `optim.adamw 1.0.0 — AdamW with decoupled weight decay`.
    public var description: String { "\(id) \(version) — \(summary)" }
}
