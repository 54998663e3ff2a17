import Experiment
import PluginAPI
import TensorEngine
import TensorNN

/// `optstep`: the optimizer step alone over 10.0M parameters shaped like a 3-layer d=512 transformer, with fixed
/// random gradients; GB/s counts 7 floats moved per parameter (read p, g, m, v; write p, m, v).
enum OptStepWorkload {
    static func shapes() -> [[Int]] {
        let d = 512
        var shapes: [[Int]] = [[1024, d], [36, d]]
        for _ in 0..<3 {
            shapes += [[d], [d], [d, 3 * d], [3 * d], [d, d], [d], [d], [d], [d, 4 * d], [4 * d], [4 * d, d], [d]]
        }
        return shapes + [[d], [d]]
    }

    static func run(minTime: Double, optimizer name: String) -> [String: Any] {
        var rng = RandomGenerator(seed: 1)
        let parameters = shapes().enumerated().map { i, shape in
            NamedParameter("p\(i)", Parameter(Tensor.normal(shape, std: 0.02, using: &rng)))
        }
        // Give each parameter a fixed gradient g: d/dp Σ p·g = g.
        for p in parameters {
            let g = Tensor.normal(p.parameter.shape, std: 1e-3, using: &rng)
            (p.parameter.value * g).sum().backward()
        }
        guard let optimizer = makeOptimizer(name, parameters) else {
            return ["error": "unknown optimizer '\(name)' for optstep"]
        }
        let count = parameters.reduce(0) { $0 + $1.parameter.count }
        let stats = BenchHarness.measure(minTime: minTime) { optimizer.step() }
        var out = stats.dictionary
        out["gbytes_per_s_median"] = 7 * 4 * Double(count) / (stats.medianMs * 1e-3) / 1e9
        out["params"] = count
        out["tensors"] = parameters.count
        out["optimizer"] = name
        return out
    }

    /// Kiln's own Adam/AdamW, or an optimizer plugin of the running `kiln` (`spam` → `optim.spam`, or a full id)
    /// with its default configuration.
    private static func makeOptimizer(_ name: String, _ parameters: [NamedParameter]) -> (any Optimizer)? {
        switch name {
        case "adam": return Adam(parameters, lr: 1e-3)
        case "adamw": return AdamW(parameters, lr: 1e-3)
        default:
            let id = name.hasPrefix("optim.") ? name : "optim.\(name)"
            guard let catalog = try? CLIPlugins.current, let plugin = catalog[id] as? any OptimizerPlugin.Type
            else { return nil }
            return try? makeDefault(plugin, parameters)
        }
    }

    private static func makeDefault<P: OptimizerPlugin>(_ plugin: P.Type, _ parameters: [NamedParameter]) throws
        -> any Optimizer
    {
        try P.makeOptimizer(P.Config(), parameters: parameters)
    }
}
