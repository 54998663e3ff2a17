public import PluginAPI

/// The `augment:` mapping of a spec's `data:` slot: the standard image transforms.
///
/// Random crop and flip change training batches only (drawn from the run's batch stream, so a resumed run sees the
/// same batches); normalisation changes every split, so that evaluation sees what training saw.
///
/// ```yaml
/// data:
///   dataset: data.cifar10
///   directory: cifar-10-batches-bin
///   augment: {crop_padding: 4, flip: 0.5, normalize: true}
/// ```
public struct DataAugmentation: PluginConfig, Equatable {
    /// Zero padding on every side before a random crop back to the original size; 0 does not crop.
    public var cropPadding = 0
    /// Probability of mirroring a training image left–right.
    public var flip = 0.0
    /// Whether every split is normalised per channel.
    public var normalize = false
    /// Per-channel means to subtract; nil computes them from the training split.
    public var mean: [Double]? = nil
    /// Per-channel standard deviations to divide by; nil computes them from the training split.
    public var std: [Double]? = nil

    /// No transform.
    public init() {}

    /// Whether any transform is asked for.
    public var isActive: Bool { cropPadding > 0 || flip > 0 || normalize }

    /// Documentation, ranges and requirements of each key.
    public static let documentation: [String: FieldDoc] = [
        "crop_padding": FieldDoc(
            "Pad each training image with this many zero pixels on every side, then crop it back to its size at a "
                + "random offset; 0 does not crop.", range: .nonNegative),
        "flip": FieldDoc("Probability of mirroring a training image left–right.", range: .unitInterval),
        "normalize": FieldDoc(
            "Subtract each channel's mean and divide by its standard deviation, in every split (training and "
                + "evaluation); the statistics come from the training split unless mean and std are given."),
        "mean": FieldDoc("Per-channel means for normalize, one per channel.", type: .array(.number)),
        "std": FieldDoc(
            "Per-channel standard deviations for normalize, one per channel.", range: .positive,
            type: .array(.number)),
    ]

    /// Mean and std come together, with as many entries, and only with normalize.
    public func validate(_ v: inout ConfigValidator) {
        v.check(
            (mean == nil) == (std == nil), key: mean == nil ? "mean" : "std",
            "is missing: mean and std are given together")
        if let mean, let std {
            v.check(mean.count == std.count, key: "std", "has \(std.count) entries where mean has \(mean.count)")
            v.check(!mean.isEmpty, key: "mean", "must list one value per channel")
            v.check(normalize, key: "normalize", "must be true when mean and std are given")
        }
    }
}
