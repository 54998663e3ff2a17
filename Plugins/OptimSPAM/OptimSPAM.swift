public import Experiment

/// The plugins of this target, for `kiln/main.swift`'s list.
public enum OptimSPAMPlugins {
    /// `optim.spam`, `optim.stable-spam` and `model.lowbit-mlp`.
    public static let all: [any KilnPlugin.Type] = [SPAMPlugin.self, StableSPAMPlugin.self, LowPrecisionMLPPlugin.self]
}
