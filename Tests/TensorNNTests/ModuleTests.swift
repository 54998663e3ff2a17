import TensorEngine
import TensorNN
import Testing

/// A module whose members exercise the reflection rules: camelCase names, arrays, optionals, dictionaries,
/// a tied parameter, and non-member properties.
private final class Block: Layer {
    var isTraining = true
    let inProj: Linear
    let outProj: Linear
    let scale: Parameter
    let extra: Linear?
    let missing: Linear? = nil
    let heads: [Linear]
    let byName: [String: Linear]
    let tied: Parameter
    let width = 3
    let table: [Float] = [1, 2, 3]
    weak var parent: Block?

    init(rng: inout RandomGenerator) {
        inProj = Linear(inputs: 3, outputs: 4, rng: &rng)
        outProj = Linear(inputs: 4, outputs: 3, bias: false, rng: &rng)
        scale = Parameter(Tensor.ones([3]))
        extra = Linear(inputs: 3, outputs: 3, rng: &rng)
        heads = [Linear(inputs: 3, outputs: 2, rng: &rng), Linear(inputs: 3, outputs: 2, rng: &rng)]
        byName = ["b": Linear(inputs: 2, outputs: 2, rng: &rng), "a": Linear(inputs: 2, outputs: 2, rng: &rng)]
        tied = inProj.weight
        parent = self  // a back reference must not loop the traversal
    }

    func forward(_ x: Tensor) -> Tensor { outProj(inProj(x).relu()) * scale.value }
}

@Suite struct ModuleTests {
    @Test func namesFollowDeclarationOrderInSnakeCase() {
        var rng = RandomGenerator(seed: 1)
        let block = Block(rng: &rng)
        // Own parameters come before children's (as in PyTorch), so the tied weight is named `tied`, the first
        // path that reaches it, and `in_proj.weight` is not listed again.
        #expect(
            block.namedParameters().map(\.name) == [
                "scale", "tied",
                "in_proj.bias", "out_proj.weight",
                "extra.weight", "extra.bias",
                "heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias",
                "by_name.a.weight", "by_name.a.bias", "by_name.b.weight", "by_name.b.bias",
            ])
        #expect(block.parameterCount == 3 + 12 + 4 + 12 + 9 + 3 + 2 * (6 + 2) + 2 * (4 + 2))
        #expect(
            block.namedModules().map(\.name) == [
                "", "in_proj", "out_proj", "extra", "heads.0", "heads.1",
                "by_name.a", "by_name.b",
            ])
    }

    @Test func mlpHasPyTorchNamesAndShapes() {
        var rng = RandomGenerator(seed: 2)
        let mlp = MLP(inputs: 4, hidden: [16, 8], outputs: 3, activation: .gelu, rng: &rng)
        let shapes = mlp.namedParameters().map { "\($0.name) \($0.parameter.shape)" }
        #expect(
            shapes == [
                "layers.0.weight [16, 4]", "layers.0.bias [16]", "layers.2.weight [8, 16]",
                "layers.2.bias [8]", "layers.4.weight [3, 8]", "layers.4.bias [3]",
            ])
        #expect(mlp(Tensor.zeros([5, 4])).shape == [5, 3])
    }

    @Test func linearInitialisationFollowsPyTorchBounds() {
        var rng = RandomGenerator(seed: 3)
        let layer = Linear(inputs: 400, outputs: 300, rng: &rng)
        let bound: Float = 1 / 20
        let w = layer.weight.value.scalars
        let b = layer.bias!.value.scalars
        #expect(w.allSatisfy { abs($0) <= bound } && b.allSatisfy { abs($0) <= bound })
        // U(−a, a) has standard deviation a/√3.
        let std = (w.reduce(0) { $0 + Double($1 * $1) } / Double(w.count)).squareRoot()
        #expect(abs(std - Double(bound) / 3.0.squareRoot()) < 0.01 * Double(bound))
        var again = RandomGenerator(seed: 3)
        #expect(Linear(inputs: 400, outputs: 300, rng: &again).weight.value.scalars == w, "same seed, same weights")
    }

    @Test func trainAndEvalReachTheWholeTree() {
        var rng = RandomGenerator(seed: 4)
        let mlp = MLP(inputs: 2, hidden: [3], outputs: 2, rng: &rng)
        mlp.eval()
        #expect(mlp.namedModules().allSatisfy { !$0.module.isTraining })
        mlp.train()
        #expect(mlp.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test func freezeByPrefixAndNameStopsGradients() throws {
        var rng = RandomGenerator(seed: 5)
        let mlp = MLP(inputs: 3, hidden: [4], outputs: 2, rng: &rng)
        #expect(try mlp.freeze("layers.0") == ["layers.0.weight", "layers.0.bias"])
        try mlp.freeze("layers.2.bias")
        #expect(mlp.trainableParameters().map(\.name) == ["layers.2.weight"])
        mlp(Tensor.ones([2, 3])).sum().backward()
        #expect(mlp.parameter(named: "layers.0.weight")!.grad == nil)
        #expect(mlp.parameter(named: "layers.2.bias")!.grad == nil)
        #expect(mlp.parameter(named: "layers.2.weight")!.grad != nil)
        // "layers.2" must not match "layers.20…": prefixes stop at dots.
        #expect(throws: ModuleError.noParameterMatches(selector: "layers.0.w")) { try mlp.freeze("layers.0.w") }
        try mlp.unfreeze()
        #expect(mlp.trainableParameters().count == 4)
        mlp.zeroGrad()
        #expect(mlp.namedParameters().allSatisfy { $0.parameter.grad == nil })
    }

    @Test func loadParametersChecksNamesAndShapesBeforeWriting() throws {
        var rng = RandomGenerator(seed: 6)
        let mlp = MLP(inputs: 3, hidden: [4], outputs: 2, rng: &rng)
        let before = mlp.parameterValues().mapValues(bits)
        var values = mlp.parameterValues().mapValues { $0 * 2 }

        values["layers.9.weight"] = Tensor.zeros([1])
        #expect(throws: ModuleError.unknownParameters(["layers.9.weight"])) { try mlp.loadParameters(values) }
        values["layers.9.weight"] = nil

        values["layers.2.bias"] = nil
        #expect(throws: ModuleError.missingParameters(["layers.2.bias"])) { try mlp.loadParameters(values) }
        values["layers.0.weight"] = Tensor.zeros([3, 4])
        try? mlp.loadParameters(values, strict: false)
        #expect(mlp.parameterValues().mapValues(bits) == before, "a failed load changes nothing")
        #expect(throws: ModuleError.shapeMismatch(name: "layers.0.weight", expected: [4, 3], found: [3, 4])) {
            try mlp.loadParameters(values, strict: false)
        }

        let doubled = mlp.parameterValues().mapValues { $0 * 2 }
        try mlp.loadParameters(doubled)
        #expect(mlp.parameterValues().mapValues(bits) == doubled.mapValues(bits))
        let message = ModuleError.missingParameters(["a.b"]).description
        #expect(message.contains("a.b") && message.contains("missing"))
    }

    @Test func parameterGroupsSplitBiasesAndNorms() {
        var rng = RandomGenerator(seed: 7)
        let mlp = MLP(inputs: 3, hidden: [4], outputs: 2, rng: &rng)
        var named = mlp.namedParameters()
        named.append(NamedParameter("blocks.0.layernorm.weight", Parameter(Tensor.ones([2, 2]))))
        let groups = ParameterGroup.splitForWeightDecay(named, weightDecay: 0.05)
        #expect(groups.map(\.name) == ["decay", "no_decay"])
        #expect(groups[0].parameters.map(\.name) == ["layers.0.weight", "layers.2.weight"])
        #expect(groups[0].weightDecay == 0.05 && groups[1].weightDecay == 0)
        #expect(groups[1].parameters.map(\.name) == ["layers.0.bias", "layers.2.bias", "blocks.0.layernorm.weight"])
    }
}
