/// Parameters that share a learning rate and weight decay, as PyTorch's `param_groups`.
public struct ParameterGroup {
    /// A label for logs (`decay`, `no_decay`, `head`, …).
    public var name: String
    /// The parameters of the group, by path.
    public var parameters: [NamedParameter]
    /// This group's learning rate; nil uses the optimizer's.
    public var lr: Double?
    /// This group's weight decay; nil uses the optimizer's.
    public var weightDecay: Double?

    /// A group; nil `lr` / `weightDecay` take the optimizer's.
    public init(_ parameters: [NamedParameter], name: String = "default", lr: Double? = nil, weightDecay: Double? = nil)
    {
        self.name = name
        self.parameters = parameters
        self.lr = lr
        self.weightDecay = weightDecay
    }

    /// Two groups: `decay` with the given weight decay, and `no_decay` with none for the parameters `isExempt`
    /// picks (by default biases, norm weights and every other parameter of rank ≤ 1). Empty groups are dropped.
    public static func splitForWeightDecay(
        _ parameters: [NamedParameter], weightDecay: Double, lr: Double? = nil,
        isExempt: (NamedParameter) -> Bool = ParameterGroup.isBiasOrNorm
    ) -> [ParameterGroup] {
        let exempt = parameters.filter(isExempt)
        let decayed = parameters.filter { !isExempt($0) }
        return [
            ParameterGroup(decayed, name: "decay", lr: lr, weightDecay: weightDecay),
            ParameterGroup(exempt, name: "no_decay", lr: lr, weightDecay: 0),
        ].filter { !$0.parameters.isEmpty }
    }

    /// True for parameters of rank ≤ 1, names ending in `bias`, and names with a `norm` component
    /// (`layernorm.weight`, `blocks.0.norm1.weight`).
    public static func isBiasOrNorm(_ p: NamedParameter) -> Bool {
        if p.parameter.shape.count <= 1 { return true }
        let parts = p.name.split(separator: ".")
        if parts.last == "bias" { return true }
        return parts.contains { $0.contains("norm") }
    }
}
