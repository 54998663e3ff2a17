/// The role a plugin plays in an experiment, and so the spec slot it fills.
///
/// A plugin id starts with its kind's ``idPrefix`` (`optim.adamw` is an optimizer), so an id alone
/// says which slot it belongs to and a misplaced id can be reported as such.
public enum PluginKind: String, CaseIterable, Codable, Sendable, Comparable {
    /// A network architecture: `model.mlp`, `model.resnet`.
    case model
    /// A source of examples: `data.spirals`, `data.cifar10`.
    case dataset
    /// An update rule: `optim.adamw`, `optim.spam`.
    case optimizer
    /// A training procedure: `train.supervised`, `train.adversarial`.
    case method
    /// A metric computed on held-out data: `eval.accuracy`, `eval.certify`.
    case evaluator
    /// A step in a stage chain that transforms a model: `stage.prune-vpn`.
    case stage

    /// The first component of every id of this kind.
    public var idPrefix: String {
        switch self {
        case .model: "model"
        case .dataset: "data"
        case .optimizer: "optim"
        case .method: "train"
        case .evaluator: "eval"
        case .stage: "stage"
        }
    }

    /// Where a plugin of this kind is named in a spec, as a key path.
    public var specSlot: String {
        switch self {
        case .model: "model.plugin"
        case .dataset: "data.dataset"
        case .optimizer: "optimizer.plugin"
        case .method: "train.method"
        case .evaluator: "eval.evaluators"
        case .stage: "stages"
        }
    }

    /// Keys the spec itself uses in the mapping that holds this kind's configuration.
    ///
    /// A plugin's configuration may not use these names: the spec could not tell whose key it is.
    /// Method plugins also appear as stages, where `plugin`, `name` and `optimizer` are taken.
    public var reservedKeys: Set<String> {
        switch self {
        case .model: ["plugin"]
        case .dataset: ["dataset"]
        case .optimizer: ["plugin", "schedule"]
        case .method: ["method", "plugin", "name", "steps", "batch", "optimizer"]
        case .evaluator: ["plugin", "name"]
        case .stage: ["plugin", "name"]
        }
    }

    /// The kind whose ids start with `prefix`, if any.
    public init?(idPrefix prefix: some StringProtocol) {
        guard let kind = Self.allCases.first(where: { $0.idPrefix == prefix }) else { return nil }
        self = kind
    }

    /// Orders kinds as they are declared, which is the order a spec is read in.
    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
