import PluginAPI

/// The configuration of the two-layer node classifiers, `model.gcn` and `model.sage`.
struct TwoLayerGraphConfig: PluginConfig {
    var hidden = 64
    var dropout = 0.5
    static let documentation: [String: FieldDoc] = [
        "hidden": FieldDoc("Width of the hidden layer.", range: .atLeast(1)),
        "dropout": FieldDoc(
            "Dropout probability on the hidden layer while training.", range: FieldRange.atLeast(0).below(1)),
    ]
}
