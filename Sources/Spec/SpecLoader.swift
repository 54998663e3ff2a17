public import Foundation
public import PluginAPI

/// Reads, checks and resolves spec files: the one entry point for `kiln run` and `kiln validate`.
///
/// ```swift
/// let loader = SpecLoader(registry: registry, dataRoots: [dataDir])
/// do {
///     switch try loader.load(contentsOf: specURL) {
///     case .single(let spec): try run(spec)
///     case .sweep(let plan): for child in plan.children { try run(child.spec, in: child.directory) }
///     }
/// } catch {
///     print(error)          // every problem, one `file:line:col: key.path: message` per line
/// }
/// ```
public struct SpecLoader: Sendable {
    /// Hard limits applied before and while reading.
    public struct Limits: Sendable {
        /// Largest spec file accepted, in bytes (1 MiB).
        public var maxBytes: Int
        /// Most YAML nodes after alias expansion; a normal spec has a few hundred.
        public var maxNodes: Int
        /// Most children a sweep may expand to.
        public var maxSweepPoints: Int

        /// The default limits.
        public init(maxBytes: Int = 1 << 20, maxNodes: Int = 100_000, maxSweepPoints: Int = 1_000) {
            self.maxBytes = maxBytes
            self.maxNodes = maxNodes
            self.maxSweepPoints = maxSweepPoints
        }
    }

    /// The plugins a spec may name.
    public var registry: PluginRegistry
    /// Where data paths may point; empty means the spec's own directory.
    public var dataRoots: [URL]
    /// Where `start_from` checkpoints may be; empty means the spec's own directory.
    public var runRoots: [URL]
    /// Size and expansion limits.
    public var limits: Limits

    /// A loader checking against `registry`, with paths confined to the given roots.
    public init(registry: PluginRegistry, dataRoots: [URL] = [], runRoots: [URL] = [], limits: Limits = Limits()) {
        self.registry = registry
        self.dataRoots = dataRoots
        self.runRoots = runRoots
        self.limits = limits
    }

    /// Loads the spec at `file`, reporting every problem at once in the thrown ``SpecError``.
    public func load(contentsOf file: URL) throws(SpecError) -> LoadedSpec {
        let root = try reader(for: file).read(file)
        return try resolve(root, file: file)
    }

    /// Loads a spec from text, as if read from `file` (which names it and anchors relative paths).
    public func load(yaml: String, file: URL) throws(SpecError) -> LoadedSpec {
        let root = try reader(for: file).parse(yaml)
        return try resolve(root, file: file)
    }

    /// Every problem with the spec at `file`; empty when it is valid. What `kiln validate` prints.
    public func validate(contentsOf file: URL) -> [SpecProblem] {
        do {
            _ = try load(contentsOf: file)
            return []
        } catch { return error.problems }
    }

    private func reader(for file: URL) -> YAMLReader {
        YAMLReader(maxBytes: limits.maxBytes, maxNodes: limits.maxNodes, file: file.relativePath)
    }

    private func resolve(_ root: SourceNode, file: URL) throws(SpecError) -> LoadedSpec {
        let display = file.relativePath
        let source = file.absoluteURL
        let directory = source.deletingLastPathComponent()
        var resolver = SpecResolver(
            registry: registry, file: display, source: source,
            dataPolicy: PathPolicy(roots: dataRoots.isEmpty ? [directory] : dataRoots, rootsName: "data roots"),
            runPolicy: PathPolicy(roots: runRoots.isEmpty ? [directory] : runRoots, rootsName: "run roots"))
        let defaultName = source.deletingPathExtension().lastPathComponent

        guard let sweepNode = root["sweep"] else {
            let spec = resolver.resolve(root, defaultName: defaultName)
            guard let spec, resolver.problems.isEmpty else {
                throw SpecError(file: display, problems: resolver.problems, partial: resolver.plugins)
            }
            return .single(spec)
        }

        // A sweep resolves each child in full, so a value that is wrong for one point is reported at
        // the sweep entry that produced it; problems shared by all children are reported once.
        var base = root
        if case .mapping(let entries) = root.content { base.content = .mapping(entries.filter { $0.key != "sweep" }) }
        var expander = SweepExpander(file: display, maxPoints: limits.maxSweepPoints)
        guard let (parsed, samples) = expander.parse(sweepNode) else {
            throw SpecError(file: display, problems: expander.problems)
        }
        var axes = parsed
        let tree = typedTree(of: base, axes: axes, resolver: resolver, defaultName: defaultName)
        expander.type(&axes, in: tree)
        base = expander.writingDefaultedLists(into: base, for: axes, tree: tree)
        // The base alone is not checked: a key it lacks may be one the sweep supplies.
        guard expander.problems.isEmpty else { throw SpecError(file: display, problems: expander.problems) }
        let points = expander.points(of: axes, samples: samples, seed: base["seed"]?.value.int ?? 0)
        var children: [SweepChild] = []
        var parentName = defaultName
        for (index, point) in points.enumerated() {
            var childRoot = base
            for (assignment, location) in point.assignments {
                childRoot = childRoot.setting(SourceNode(assignment.value, at: location), at: assignment.path)
            }
            guard var spec = resolver.resolve(childRoot, defaultName: defaultName) else { continue }
            parentName = spec.name
            let assignments = point.assignments.map(\.0)
            let label = SweepExpander.label(index: index, count: points.count, assignments: assignments)
            spec.name = "\(parentName)/\(label)"
            // The folder follows the file's name, as the parent's `NAME.run` does, not the `name:` key: two
            // files sharing a `name:` must not mix their children.
            children.append(
                SweepChild(
                    index: index, label: label, directory: "\(defaultName).sweep/\(label)",
                    assignments: assignments, spec: spec))
        }
        // A mistake outside the swept keys shows in every child, each time at the same key: say it once.
        let problems = SpecProblem.firstOfEach(resolver.problems)
        guard problems.isEmpty else { throw SpecError(file: display, problems: problems) }
        return .sweep(
            SweepPlan(name: parentName, source: source, axes: axes.map(\.axis), samples: samples, children: children))
    }

    /// The spec without its sweep, resolved with every default written with its type, so each random axis can
    /// draw the type of the key it sets. When the base alone does not resolve (a required key only the sweep
    /// supplies), the grid's first values are added, then a value from each random axis; nil if none resolves.
    private func typedTree(
        of base: SourceNode, axes: [SweepExpander.LocatedAxis], resolver: SpecResolver, defaultName: String
    ) -> ConfigValue? {
        var probe = base
        var attempts = [probe]
        for axis in axes where !axis.axis.isRandom {
            if case .grid(let values) = axis.axis.values, let first = values.first {
                probe = probe.setting(SourceNode(first, at: axis.location), at: axis.axis.path)
            }
        }
        attempts.append(probe)
        for axis in axes {
            let value: ConfigValue
            switch axis.axis.values {
            case .grid: continue
            case .choice(let values): value = values[0]
            case .uniform(let low, let high), .logUniform(let low, let high):
                // A whole number inside the bounds suits an integer key and a number key alike.
                let (a, b) = (low.double ?? 0, high.double ?? 0)
                let middle = ((a + b) / 2).rounded()
                value = (a...b).contains(middle) && abs(middle) < 9e15 ? .int(Int(middle)) : .double((a + b) / 2)
            }
            probe = probe.setting(SourceNode(value, at: axis.location), at: axis.axis.path)
        }
        attempts.append(probe)
        for attempt in attempts {
            var scratch = resolver
            if let spec = scratch.resolve(attempt, defaultName: defaultName) { return spec.resolvedTree }
        }
        return nil
    }
}
