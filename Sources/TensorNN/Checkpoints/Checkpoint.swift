public import Foundation
public import TensorEngine

/// A training checkpoint: parameters by path, optional optimizer state beside them, and metadata, stored as one
/// safetensors file.
///
/// Tensors: parameters under their paths (`layers.0.weight`) and optimizer slots under `<path>.<slot>`
/// (`layers.0.weight.exp_avg`), so PyTorch's `load_file` + `load_state_dict(strict=False)` reads the weights.
/// Header metadata: `kiln.format_version`, `kiln.step`, `kiln.plugin`, the optimizer's `kiln.optimizer.*`
/// scalars, and the caller's own strings (RNG state, data-loader position, …) under any key outside `kiln.`.
public struct Checkpoint {
    /// The format version written; reading rejects any other.
    public static let formatVersion = 1

    /// Training steps completed when the checkpoint was taken.
    public var step: Int
    /// The plugin that wrote it (`model.resnet`, `train.adversarial`, …).
    public var pluginID: String
    /// Parameter values by dotted path.
    public var parameters: [String: Tensor]
    /// The optimizer's state, if saved.
    public var optimizerState: OptimizerState?
    /// Caller-provided strings; keys must not start with `kiln.`.
    public var metadata: [String: String]
    /// The file this checkpoint was read from, if any (named in errors).
    public internal(set) var source: URL?

    /// A checkpoint from explicit parts.
    public init(
        step: Int, pluginID: String, parameters: [String: Tensor], optimizerState: OptimizerState? = nil,
        metadata: [String: String] = [:]
    ) {
        self.step = step
        self.pluginID = pluginID
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.metadata = metadata
    }

    /// A snapshot of `model`'s parameters and, if given, `optimizer`'s state.
    public init(
        step: Int, pluginID: String, model: any Module, optimizer: (any Optimizer)? = nil,
        metadata: [String: String] = [:]
    ) {
        self.init(
            step: step, pluginID: pluginID, parameters: model.parameterValues(),
            optimizerState: optimizer?.exportState(), metadata: metadata)
        let streams = model.randomStreamOwners()
        if !streams.isEmpty {
            setMetadata(
                Dictionary(streams.map { ($0.name, $0.owner.rng) }, uniquingKeysWith: { first, _ in first }),
                forKey: Self.randomStreamsKey)
        }
    }

    /// Where the model's own random streams (dropout masks) are kept: a JSON object from module path to state.
    public static let randomStreamsKey = "model.random_streams"

    /// Stores `value` as JSON under `key` (e.g. a `RandomGenerator`, whose state is its seed and offset).
    public mutating func setMetadata(_ value: some Encodable, forKey key: String) {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        metadata[key] = String(decoding: data, as: UTF8.self)
    }

    /// Decodes the JSON stored under `key` by `setMetadata`.
    public func metadata<T: Decodable>(_ type: T.Type, forKey key: String) throws(CheckpointError) -> T {
        guard let text = metadata[key] else {
            throw .invalidMetadata(path: origin, key: key, reason: "not present")
        }
        do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
            throw .invalidMetadata(path: origin, key: key, reason: "not a \(T.self) in JSON: \(error)")
        }
    }

    /// Copies the parameters and the modules' random streams into `model` and the state into `optimizer`, checking
    /// both fit first.
    public func restore(into model: any Module, optimizer: (any Optimizer)? = nil) throws(CheckpointError) {
        do {
            try model.loadParameters(parameters)
        } catch {
            throw .incompatible(path: origin, reason: error.description)
        }
        if metadata[Self.randomStreamsKey] != nil {
            // A checkpoint from before streams were saved has none: the model's streams then start afresh.
            let streams = try self.metadata([String: RandomGenerator].self, forKey: Self.randomStreamsKey)
            for (name, owner) in model.randomStreamOwners() {
                if let state = streams[name] { owner.rng = state }
            }
        }
        guard let optimizer else { return }
        guard let optimizerState else { throw .incompatible(path: origin, reason: "no optimizer state was saved") }
        do {
            try optimizer.loadState(optimizerState)
        } catch {
            throw .incompatible(path: origin, reason: error.description)
        }
    }

    private var origin: String { source?.path ?? "(checkpoint in memory)" }

    /// Writes the checkpoint to `url` atomically.
    public func write(to url: URL) throws(CheckpointError) {
        let path = url.path
        if let reserved = metadata.keys.sorted().first(where: { $0.hasPrefix(Key.prefix) }) {
            throw .invalidMetadata(path: path, key: reserved, reason: "keys starting with \(Key.prefix) are reserved")
        }
        var tensors = parameters
        var header = metadata
        header[Key.version] = String(Self.formatVersion)
        header[Key.step] = String(step)
        header[Key.plugin] = pluginID
        if let state = optimizerState {
            for (name, t) in state.slots {
                if tensors[name] != nil { throw .nameCollision(path: path, name: name) }
                tensors[name] = t
            }
            header[Key.slots] = state.slotNames.joined(separator: ",")
            header[Key.stepCount] = String(state.stepCount)
            let steps = state.parameterSteps.keys.sorted(by: SafeTensors.byteOrder)
                .map { "\(SafeTensors.quoted($0)):\(state.parameterSteps[$0]!)" }
            header[Key.parameterSteps] = "{\(steps.joined(separator: ","))}"
            for (key, value) in state.extra { header[Key.extraPrefix + key] = value }
        }
        try SafeTensors.write(tensors, metadata: header, to: url)
    }

    /// Reads a checkpoint written by `write`, validating the file and the Kiln metadata.
    public static func read(from url: URL) throws(CheckpointError) -> Checkpoint {
        let path = url.path
        var (tensors, header) = try SafeTensors.read(from: url)
        guard let version = header[Key.version], version == String(formatVersion) else {
            throw .unsupportedFormatVersion(path: path, found: header[Key.version] ?? "none", supported: formatVersion)
        }
        guard let stepText = header[Key.step], let step = Int(stepText), step >= 0 else {
            throw .invalidMetadata(path: path, key: Key.step, reason: "missing or not a non-negative integer")
        }
        var state: OptimizerState? = nil
        if let slotList = header[Key.slots] {
            let slotNames = slotList.isEmpty ? [] : slotList.split(separator: ",").map(String.init)
            guard let countText = header[Key.stepCount], let stepCount = Int(countText) else {
                throw .invalidMetadata(path: path, key: Key.stepCount, reason: "missing or not an integer")
            }
            let steps: [String: Int]
            do {
                steps = try JSONDecoder().decode(
                    [String: Int].self, from: Data((header[Key.parameterSteps] ?? "").utf8))
            } catch {
                throw .invalidMetadata(path: path, key: Key.parameterSteps, reason: "not a JSON object of integers")
            }
            var slots: [String: Tensor] = [:]
            for name in steps.keys {
                for slot in slotNames {
                    let key = "\(name).\(slot)"
                    guard let t = tensors.removeValue(forKey: key) else {
                        throw .incompatible(path: path, reason: "optimizer slot tensor \(key) is missing")
                    }
                    slots[key] = t
                }
            }
            var extra: [String: String] = [:]
            for (key, value) in header where key.hasPrefix(Key.extraPrefix) {
                extra[String(key.dropFirst(Key.extraPrefix.count))] = value
            }
            state = OptimizerState(
                stepCount: stepCount, slotNames: slotNames, parameterSteps: steps, slots: slots, extra: extra)
        }
        let plugin = header[Key.plugin] ?? ""
        let user = header.filter { !$0.key.hasPrefix(Key.prefix) }
        var checkpoint = Checkpoint(
            step: step, pluginID: plugin, parameters: tensors, optimizerState: state, metadata: user)
        checkpoint.source = url
        return checkpoint
    }

    /// Reserved header keys.
    enum Key {
        static let prefix = "kiln."
        static let version = "kiln.format_version"
        static let step = "kiln.step"
        static let plugin = "kiln.plugin"
        static let slots = "kiln.optimizer.slots"
        static let stepCount = "kiln.optimizer.step_count"
        static let parameterSteps = "kiln.optimizer.parameter_steps"
        static let extraPrefix = "kiln.optimizer.extra."
    }
}
