public import TensorEngine

extension Module {
    /// Every parameter in the tree with its dotted path: own parameters first, then each child's, depth first,
    /// in member order. A parameter reachable by two paths (tied weights) is listed once, under the first.
    public func namedParameters() -> [NamedParameter] {
        var out: [NamedParameter] = []
        var seen = Set<ObjectIdentifier>()
        var visited = Set<ObjectIdentifier>()
        forEachParameter(prefix: "", visited: &visited) { named in
            if seen.insert(ObjectIdentifier(named.parameter)).inserted { out.append(named) }
        }
        return out
    }

    /// The parameters that are not frozen, with their paths (never buffers).
    public func trainableParameters() -> [NamedParameter] { namedParameters().filter { !$0.parameter.isFrozen } }

    /// The buffers (running statistics and other saved, untrained state) with their paths; `namedParameters()`
    /// lists them too, in tree order, so checkpoints save and load them by name.
    public func namedBuffers() -> [NamedParameter] { namedParameters().filter(\.parameter.isBuffer) }

    /// The parameter at `path`, if any.
    public func parameter(named path: String) -> Parameter? {
        namedParameters().first { $0.name == path }?.parameter
    }

    /// Total number of elements over all (distinct) parameters, buffers not counted (as PyTorch's `parameters()`).
    public var parameterCount: Int {
        namedParameters().reduce(0) { $0 + ($1.parameter.isBuffer ? 0 : $1.parameter.count) }
    }

    /// The current values by path (the tensors share storage with the parameters until the next update).
    public func parameterValues() -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: namedParameters().map { ($0.name, $0.parameter.value.detached()) })
    }

    /// This module and all descendants, with paths ("" for self), depth first; a module reachable by two paths
    /// (shared, or a back reference to a parent) is listed once, under the first.
    public func namedModules() -> [(name: String, module: any Module)] {
        var out: [(name: String, module: any Module)] = []
        var visited = Set<ObjectIdentifier>()
        collectModules(prefix: "", into: &out, visited: &visited)
        return out
    }

    /// Sets training mode on the whole tree.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = on }
    }

    /// Sets evaluation mode on the whole tree.
    public func eval() { train(false) }

    /// Forgets the accumulated gradient of every parameter.
    public func zeroGrad() {
        for p in namedParameters() { p.parameter.zeroGrad() }
    }

    /// Freezes the parameters named by `selectors`: each is a full path (`layers.0.weight`) or a path prefix ending
    /// at a dot boundary (`layers.0` covers `layers.0.weight` and `layers.0.bias`). No selectors freezes all.
    /// Returns the frozen paths; throws if a selector matches nothing (nothing is changed then).
    @discardableResult
    public func freeze(_ selectors: String...) throws(ModuleError) -> [String] {
        try select(selectors).map {
            $0.parameter.freeze()
            return $0.name
        }
    }

    /// Unfreezes the parameters named by `selectors` (same matching as `freeze`); no selectors unfreezes all.
    /// Buffers stay frozen and are not in the returned paths.
    @discardableResult
    public func unfreeze(_ selectors: String...) throws(ModuleError) -> [String] {
        try select(selectors).filter { !$0.parameter.isBuffer }.map {
            $0.parameter.unfreeze()
            return $0.name
        }
    }

    /// Copies the given tensors into the parameters of the same path, bit for bit.
    ///
    /// Everything is checked before anything is written: a name the model lacks, a shape that differs, or (when
    /// `strict`) a parameter with no tensor given throws and leaves the model unchanged.
    public func loadParameters(_ tensors: [String: Tensor], strict: Bool = true) throws(ModuleError) {
        let params = namedParameters()
        let known = Set(params.map(\.name))
        let unknown = tensors.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty { throw .unknownParameters(unknown) }
        if strict {
            let missing = params.map(\.name).filter { tensors[$0] == nil }
            if !missing.isEmpty { throw .missingParameters(missing) }
        }
        for p in params {
            if let t = tensors[p.name], t.shape != p.parameter.shape {
                throw .shapeMismatch(name: p.name, expected: p.parameter.shape, found: t.shape)
            }
        }
        for p in params {
            if let t = tensors[p.name] { p.parameter.assign(t) }
        }
    }

    private func forEachParameter(
        prefix: String, visited: inout Set<ObjectIdentifier>, _ body: (NamedParameter) -> Void
    ) {
        guard visited.insert(ObjectIdentifier(self)).inserted else { return }
        for p in directParameters { body(NamedParameter(prefix + p.name, p.parameter)) }
        for (name, child) in directChildren {
            child.forEachParameter(prefix: prefix + name + ".", visited: &visited, body)
        }
    }

    private func collectModules(
        prefix: String, into out: inout [(name: String, module: any Module)],
        visited: inout Set<ObjectIdentifier>
    ) {
        guard visited.insert(ObjectIdentifier(self)).inserted else { return }
        out.append((prefix, self))
        for (name, child) in directChildren {
            child.collectModules(prefix: prefix.isEmpty ? name : "\(prefix).\(name)", into: &out, visited: &visited)
        }
    }

    private func select(_ selectors: [String]) throws(ModuleError) -> [NamedParameter] {
        let params = namedParameters()
        if selectors.isEmpty { return params }
        var chosen: [NamedParameter] = []
        var taken = Set<String>()
        for s in selectors {
            let matches = params.filter { $0.name == s || $0.name.hasPrefix(s + ".") }
            if matches.isEmpty { throw .noParameterMatches(selector: s) }
            for m in matches where taken.insert(m.name).inserted { chosen.append(m) }
        }
        return chosen
    }
}
