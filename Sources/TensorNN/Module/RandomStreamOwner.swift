public import TensorEngine

/// A module that draws randomness while training from a stream of its own (dropout, drop-path masks).
///
/// Checkpoints save each such stream's state under the module's path and restore it, so a resumed run draws the
/// same masks as an uninterrupted one.
public protocol RandomStreamOwner: Module {
    /// The stream the module draws from; its state is its seed and offset.
    var rng: RandomGenerator { get set }
}

extension Module {
    /// Every module in the tree that owns a random stream, by path ("" for this module itself).
    public func randomStreamOwners() -> [(name: String, owner: any RandomStreamOwner)] {
        namedModules().compactMap { name, module in (module as? any RandomStreamOwner).map { (name, $0) } }
    }
}
