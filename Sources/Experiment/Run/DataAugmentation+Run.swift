import Spec
import TensorEngine

extension DataAugmentation {
    /// The random transforms of training batches (crop, then flip), or nil when there are none.
    var batchTransforms: ImageAugmentation? {
        var transforms: [ImageTransform] = []
        if cropPadding > 0 { transforms.append(.randomCrop(padding: cropPadding)) }
        if flip > 0 { transforms.append(.horizontalFlip(probability: flip)) }
        return transforms.isEmpty ? nil : ImageAugmentation(transforms)
    }

    /// `data` with both splits normalised per channel, and the statistics used; `data` itself when `normalize` is
    /// off. Statistics come from the training split unless given; a constant channel keeps std 1 (it is only
    /// centred). Normalising before the random crop means a crop's padding is the channel mean.
    func normalizing(_ data: LabeledDataset) -> (data: LabeledDataset, mean: [Float], std: [Float])? {
        guard normalize else { return nil }
        var (mean, std) = (mean?.map(Float.init), std?.map(Float.init))
        if mean == nil || std == nil { (mean, std) = ImageOps.channelStatistics(data.train.inputs) }
        let safeStd = std!.map { $0 > 0 && $0.isFinite ? $0 : 1 }
        var out = data
        for split in [\LabeledDataset.train, \.test] where out[keyPath: split].count > 0 {
            out[keyPath: split].inputs = ImageOps.normalize(out[keyPath: split].inputs, mean: mean!, std: safeStd)
        }
        return (out, mean!, safeStd)
    }
}
