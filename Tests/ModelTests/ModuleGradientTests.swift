import TensorEngine
import TensorNN
import Testing
import TestSupport

/// Parameter and input gradients of the transformer and graph modules against central finite differences.
@Suite struct ModuleGradientTests {
    /// Moves every LayerNorm weight and bias off ones and zeros, so a swapped or missing term shows.
    func perturbNorms(_ module: any Module, seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        for p in module.namedParameters() where p.name.contains("ln") {
            p.parameter.assign(p.parameter.value.detached() + Tensor.normal(p.parameter.shape, std: 0.3, using: &rng))
        }
    }

    @Test func transformerBlockGradientsIncludingLayerNorm() {
        // 1 layer, width 8, 2 heads, context 4.
        var rng = RandomGenerator(seed: 1)
        let block = TransformerBlock(width: 8, heads: 2, rng: &rng)
        perturbNorms(block, seed: 2)
        expectModuleGradientsMatch(block, inputs: [awayFromZero([2, 4, 8], seed: 3)]) { block($0[0]) }
    }

    @Test func gptGradientsIncludingTiedHeadAndPositions() {
        var rng = RandomGenerator(seed: 4)
        let model = GPT(GPTConfiguration(vocabulary: 11, context: 4, width: 8, heads: 2, layers: 1, embeddingStd: 0.5),
                        rng: &rng)
        perturbNorms(model, seed: 5)
        let ids = Tensor([2, 4], [1, 5, 10, 5, 0, 3, 3, 7])
        expectModuleGradientsMatch(model) { _ in model.forward(ids) }
    }

    @Test func gcnAndSAGEGradients() {
        let adjacency = SparseMatrix.adjacency(nodes: 6, sources: [0, 1, 1, 2, 3, 4, 5, 5], destinations: [1, 0, 2, 1, 4, 3, 0, 3])
        var rng = RandomGenerator(seed: 6)
        let x = awayFromZero([6, 3], seed: 7)
        let gcn = GCN(inputs: 3, hidden: 4, classes: 2, rng: &rng)
        gcn.conv1.bias!.assign(awayFromZero([4], seed: 8) * 0.1)
        gcn.eval()
        // A small step: a few hidden ReLU inputs lie within 1e-2 of the kink, where a larger step straddles it.
        let normalized = adjacency.addingSelfLoops().symmetricallyNormalized()
        expectModuleGradientsMatch(gcn, inputs: [x], step: 1e-3) { gcn.forward($0[0], adjacency: normalized, rng: &rng) }
        let sage = GraphSAGE(inputs: 3, hidden: 5, classes: 2, rng: &rng)
        sage.eval()
        let mean = adjacency.rowNormalized()
        expectModuleGradientsMatch(sage, inputs: [x], step: 1e-3) { sage.forward($0[0], neighbourMean: mean, rng: &rng) }
    }

    @Test func graphConvolutionOrdersGiveTheSameResult() {
        // 3 → 5 aggregates first, 5 → 3 transforms first; both must equal Â·X·Wᵀ + b computed densely.
        let adjacency = randomGraph(nodes: 9, edges: 30, seed: 9).addingSelfLoops().symmetricallyNormalized()
        var rng = RandomGenerator(seed: 10)
        for (i, o) in [(3, 5), (5, 3)] {
            let conv = GraphConvolution(inputs: i, outputs: o, rng: &rng)
            conv.bias!.assign(awayFromZero([o], seed: 11))
            let x = awayFromZero([9, i], seed: 12)
            let dense = adjacency.toDense().matmul(x).matmul(conv.weight.value.transposed()) + conv.bias!.value
            expectClose(conv.forward(x, adjacency: adjacency).scalars, dense.scalars, tolerance: 1e-5, "\(i)→\(o)")
        }
    }
}

/// A random directed graph with `edges` edges (repeats merged) and values in ±[0.1, 1.5).
func randomGraph(nodes: Int, edges: Int, seed: UInt64) -> SparseMatrix {
    var rng = RandomGenerator(seed: seed)
    let ends = Tensor.integers([2, edges], low: 0, high: nodes, using: &rng).scalars.map { Int($0) }
    let a = SparseMatrix.adjacency(nodes: nodes, sources: Array(ends[..<edges]), destinations: Array(ends[edges...]))
    return a.withValues(awayFromZero([a.nnz], seed: seed + 1).abs())
}

/// Checks the gradients of Σ f(inputs)·r (fixed random r) with respect to every parameter of `module` and every
/// input against central finite differences; parameters are perturbed in place through `assign` and restored.
func expectModuleGradientsMatch(
    _ module: any Module, inputs: [Tensor] = [], step h: Float = 1e-2, relative: Double = 2e-2, absolute: Double = 2e-3,
    seed: UInt64 = 99, sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
    var rng = RandomGenerator(seed: seed)
    let r = Tensor.uniform(withoutGradients { f(inputs).shape }, low: 0.5, high: 1.5, using: &rng)
    module.zeroGrad()
    let leaves = inputs.map { $0.detached().requiringGrad() }
    (f(leaves) * r).sum().backward()
    func value(_ xs: [Tensor]) -> Double {
        withoutGradients { zip(f(xs).scalars, r.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } }
    }
    func check(_ what: String, analytic: [Float], count: Int, perturb: (Int, Float) -> Double) {
        for i in 0..<count {
            let numeric = (perturb(i, h) - perturb(i, -h)) / (2 * Double(h))
            let a = Double(i < analytic.count ? analytic[i] : 0)
            #expect(Swift.abs(numeric - a) <= absolute + relative * Swift.abs(numeric),
                    "\(what)[\(i)]: autodiff \(a) vs finite difference \(numeric)", sourceLocation: sourceLocation)
        }
    }
    for p in module.namedParameters() {
        let original = p.parameter.value.detached().scalars, shape = p.parameter.shape
        check(p.name, analytic: p.parameter.grad?.scalars ?? [], count: original.count) { i, delta in
            var moved = original
            moved[i] += delta
            p.parameter.assign(Tensor(shape, moved))
            defer { p.parameter.assign(Tensor(shape, original)) }
            return value(inputs)
        }
    }
    for (k, x) in inputs.enumerated() {
        check("input \(k)", analytic: leaves[k].grad?.scalars ?? [], count: x.count) { i, delta in
            var moved = inputs, s = x.scalars
            s[i] += delta
            moved[k] = Tensor(x.shape, s)
            return value(moved)
        }
    }
}
