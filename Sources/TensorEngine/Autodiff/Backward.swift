extension Tensor {
    /// Whether this tensor is on the graph (a leaf that requires gradients or a recorded result).
    public var requiresGrad: Bool { node != nil }

    /// This tensor as a graph leaf: gradients of later results with respect to it accumulate in `grad`.
    public func requiringGrad() -> Tensor {
        var t = self
        t.node = GradNode(leafShape: shape)
        return t
    }

    /// The same values, cut from the graph.
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// The gradient accumulated in a leaf by `backward()` (nil before any, or after `clearGrad()`).
    public var grad: Tensor? { node?.grad }

    /// Forgets the accumulated gradient of a leaf.
    public func clearGrad() { node?.grad = nil }

    /// Records `output` as the result of an op on `inputs`, when gradients are on and any input needs one.
    package static func record(_ op: String, _ output: Tensor, _ inputs: [Tensor], _ vjp: @escaping VJP) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return output }
        var out = output
        out.node = GradNode(op: op, shape: output.shape, parents: inputs.map(\.node), vjp: vjp)
        return out
    }

    /// Reverse-mode pass from this scalar (or from `seed`, dL/d(self), for a non-scalar): every leaf it depends
    /// on gains the gradient of this value with respect to it. The op nodes are released afterwards.
    public func backward(seed: Tensor? = nil) {
        guard let root = node else { preconditionFailure("backward: the tensor does not require gradients") }
        if let seed {
            precondition(seed.shape == shape, "backward: seed shape \(seed.shape) for value of shape \(shape)")
        } else {
            precondition(count == 1, "backward: called on a tensor of shape \(shape); pass a seed")
        }
        precondition(root.isLeaf || root.vjp != nil, "backward: this graph was already used by a backward pass")
        let order = Self.topologicalOrder(from: root)
        withoutGradients {
            root.accumulate(seed ?? Tensor.full(shape, 1))
            for n in order.reversed() {
                guard let vjp = n.vjp else { continue }
                defer { n.vjp = nil; n.grad = nil }
                guard let g = n.grad else { continue }
                let grads = vjp(g, n.parents.map { $0 != nil })
                for (parent, gi) in zip(n.parents, grads) {
                    if let parent, let gi { parent.accumulate(gi) }
                }
            }
        }
    }

    /// Post-order DFS without recursion (graphs of deep networks overflow the stack otherwise).
    private static func topologicalOrder(from root: GradNode) -> [GradNode] {
        var order: [GradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(GradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.parents.count {
                stack.append((n, i + 1))
                guard let p = n.parents[i], !p.isLeaf else { continue }
                // A released op node would silently drop the gradient that should flow through it.
                precondition(p.vjp != nil, "backward: part of this graph (\(p.op)) was already used by an earlier "
                             + "backward pass; recompute it, or detach what should not be differentiated")
                if visited.insert(ObjectIdentifier(p)).inserted { stack.append((p, 0)) }
            } else {
                order.append(n)
            }
        }
        return order
    }
}

/// The gradient of a scalar function at `x` (a fresh leaf), leaving no trace on `x` itself.
public func gradient(of f: (Tensor) -> Tensor, at x: Tensor) -> Tensor {
    let leaf = x.detached().requiringGrad()
    let y = f(leaf)
    if y.requiresGrad { y.backward() }
    return leaf.grad ?? Tensor.zeros(x.shape)
}

/// The value and gradient of a scalar function at `x`.
public func valueWithGradient(of f: (Tensor) -> Tensor, at x: Tensor) -> (value: Tensor, gradient: Tensor) {
    let leaf = x.detached().requiringGrad()
    let y = f(leaf)
    if y.requiresGrad { y.backward() }
    return (y.detached(), leaf.grad ?? Tensor.zeros(x.shape))
}
