import TensorEngine
import TensorNN
import Testing
import TestSupport

/// Forward values and gradients against PyTorch 1.13 (Fixtures/graph_gpt_fixtures.json).
@Suite struct GoldenModelTests {
    @Test func spmmMatchesPyTorch() throws {
        let c = try ModelFixtures.require().cases.spmm
        let a = SparseMatrix(rows: c.rows, cols: c.cols, rowIndices: c.rowIndices, colIndices: c.colIndices,
                             values: c.inputs["values"]!.data)
        #expect(a.nnz == c.rowIndices.count)
        let values = a.values.requiringGrad(), x = c.inputs["x"]!.tensor.requiringGrad()
        let y = a.withValues(values).matmul(x)
        expectClose(y.scalars, c.output.data, tolerance: 1e-5, "spmm output")
        (y * c.upstream.tensor).sum().backward()
        expectClose(values.grad!.scalars, c.grads["values"]!.data, tolerance: 1e-5, "spmm d values")
        expectClose(x.grad!.scalars, c.grads["x"]!.data, tolerance: 1e-5, "spmm d x")
    }

    @Test func gcnNormalisationLossAndGradientsMatchPyTorch() throws {
        let c = try ModelFixtures.require().cases.gcn
        let adjacency = SparseMatrix.adjacency(nodes: c.nodes, sources: c.sources + c.destinations,
                                               destinations: c.destinations + c.sources)
            .addingSelfLoops().symmetricallyNormalized()
        #expect(adjacency.pattern.rowIndex.segments.map(Int.init) == c.adjacency.rows)
        #expect(adjacency.pattern.colIndex.segments.map(Int.init) == c.adjacency.cols)
        expectClose(adjacency.values.scalars, c.adjacency.values.data, tolerance: 1e-6, "Â values")

        var rng = RandomGenerator(seed: 1)
        let model = GCN(inputs: c.sizes[0], hidden: c.sizes[1], classes: c.sizes[2], rng: &rng)
        try model.loadParameters(c.parameters.mapValues(\.tensor))
        model.eval()
        let logits = model.forward(c.inputs["x"]!.tensor, adjacency: adjacency, rng: &rng)
        expectClose(logits.scalars, c.output.data, tolerance: 1e-5, "GCN logits")
        let loss = logits.crossEntropy(targets: Tensor([c.labels.count], c.labels.map(Float.init)))
        #expect(Swift.abs(loss.item - c.loss) < 1e-5)
        loss.backward()
        expectGradients(of: model, match: c.grads)
    }

    @Test func transformerBlockMatchesPyTorch() throws {
        let c = try ModelFixtures.require().cases.block
        var rng = RandomGenerator(seed: 2)
        let block = TransformerBlock(width: c.width, heads: c.heads, rng: &rng)
        try block.loadParameters(c.parameters.mapValues(\.tensor))
        for implementation in [MultiHeadSelfAttention.Implementation.fused, .composed] {
            block.attn.implementation = implementation
            block.zeroGrad()
            let x = c.inputs["x"]!.tensor.requiringGrad()
            let y = block(x)
            expectClose(y.scalars, c.output.data, tolerance: 1e-5, "block output (\(implementation))")
            (y * c.upstream.tensor).sum().backward()
            expectClose(x.grad!.scalars, c.grads["x"]!.data, tolerance: 1e-4, "block dx (\(implementation))")
            expectGradients(of: block, match: c.grads.filter { $0.key != "x" })
        }
    }

    @Test func gptLossAndGradientsMatchPyTorch() throws {
        let c = try ModelFixtures.require().cases.gpt
        var rng = RandomGenerator(seed: 3)
        let model = GPT(GPTConfiguration(vocabulary: c.config.vocabulary, context: c.config.context,
                                         width: c.config.width, heads: c.config.heads, layers: c.config.layers),
                        rng: &rng)
        try model.loadParameters(c.parameters.mapValues(\.tensor))
        let (b, t) = (c.ids.count, c.ids[0].count)
        let ids = Tensor([b, t], c.ids.joined().map(Float.init))
        let targets = Tensor([b, t], c.targets.joined().map(Float.init))
        expectClose(model.forward(ids).scalars, c.output.data, tolerance: 1e-4, "GPT logits")
        let loss = model.loss(ids, targets: targets)
        #expect(Swift.abs(loss.item - c.loss) < 1e-4 * Swift.max(1, Swift.abs(c.loss)), "loss \(loss.item) vs \(c.loss)")
        loss.backward()
        expectGradients(of: model, match: c.grads)
    }

    /// Every parameter of `module` has the expected gradient, and every expected gradient names a parameter.
    func expectGradients(of module: any Module, match expected: [String: ModelFixtures.Value],
                         sourceLocation: SourceLocation = #_sourceLocation) {
        let params = module.namedParameters()
        #expect(Set(params.map(\.name)) == Set(expected.keys), "parameter names differ from PyTorch's",
                sourceLocation: sourceLocation)
        for p in params {
            guard let want = expected[p.name] else { continue }
            guard let grad = p.parameter.grad else {
                Issue.record("\(p.name): no gradient", sourceLocation: sourceLocation)
                continue
            }
            expectClose(grad.scalars, want.data, tolerance: 1e-4, "d \(p.name)", sourceLocation: sourceLocation)
        }
    }
}
