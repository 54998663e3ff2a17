/// The plugins a process knows, by id. A value: build it once at start-up, then share it freely.
public struct PluginRegistry: Sendable {
    private var byID: [String: PluginDescriptor] = [:]

    /// An empty registry.
    public init() {}

    /// A registry holding `descriptors`; throws on the first invalid or duplicate one.
    public init(_ descriptors: [PluginDescriptor]) throws(PluginError) {
        for descriptor in descriptors { try register(descriptor) }
    }

    /// Adds a plugin. Rejects an invalid descriptor (bad id, version, summary, incomplete
    /// documentation, reserved keys) and an id that is already taken.
    public mutating func register(_ descriptor: PluginDescriptor) throws(PluginError) {
        guard descriptor.definitionProblems.isEmpty else {
            throw .invalidDescriptor(id: descriptor.id, problems: descriptor.definitionProblems)
        }
        guard byID[descriptor.id] == nil else { throw .duplicateID(descriptor.id) }
        byID[descriptor.id] = descriptor
    }

    /// The plugin with this id, if registered.
    public subscript(id: String) -> PluginDescriptor? { byID[id] }

    /// Every plugin, ordered by kind then id: the order `kiln plugins` lists them in.
    public var plugins: [PluginDescriptor] {
        byID.values.sorted { ($0.kind, $0.id) < ($1.kind, $1.id) }
    }

    /// The plugins of one kind, by id.
    public func plugins(of kind: PluginKind) -> [PluginDescriptor] { plugins.filter { $0.kind == kind } }

    /// Registered ids close to `id` among the given kinds, best first. A bare name without the kind
    /// prefix (`adamw`) matches on the name part.
    public func suggestions(for id: String, kinds: [PluginKind] = PluginKind.allCases, limit: Int = 3) -> [String] {
        let wantedName = id.contains(".") ? String(id.drop(while: { $0 != "." }).dropFirst()) : id
        let scored = byID.values.filter { kinds.contains($0.kind) }.compactMap { d -> (String, Int)? in
            let score = min(NameSuggestions.distance(id, d.id), NameSuggestions.distance(wantedName, d.name))
            return score <= NameSuggestions.threshold(for: wantedName) ? (d.id, score) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }

    /// The plugin with `id`, which must be of one of `kinds`; the error lists close ids.
    public func lookup(_ id: String, kinds: [PluginKind]) throws(PluginError) -> PluginDescriptor {
        guard let descriptor = byID[id] else {
            throw .unknownPlugin(
                id: id, kinds: kinds, suggestions: suggestions(for: id, kinds: kinds),
                known: plugins.filter { kinds.contains($0.kind) }.map(\.id))
        }
        guard kinds.contains(descriptor.kind) else {
            throw .wrongKind(id: id, expected: kinds, actual: descriptor.kind)
        }
        return descriptor
    }
}
