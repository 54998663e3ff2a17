import PluginAPI
import TensorEngine
import TensorNN

/// `model.lkcnn`: a ConvNeXt-style large-kernel CNN (``LargeKernelCNN``, ssl-large-kernel.md §2): a patchify
/// stem, stages of [depthwise k×k → norm → 1×1 expand → GELU → 1×1 project, residual] blocks with a norm and a
/// strided convolution between stages, global average pooling, an optional norm and a linear head.
///
/// The defaults are the CPU miniature of ssl-large-kernel.md §5 with kernel 7. WORKLOADS.md's `lkcnn` model is
/// `widths: [64], depths: [2], kernel_size: [31], stem_patch: 4, norm: batch, stem_norm: false,
/// head_norm: false, layer_scale: 0`.
struct LargeKernelCNNPlugin: ModelPlugin {
    struct Config: PluginConfig {
        var widths = [32, 64]
        var depths = [2, 2]
        var kernelSize = [7]
        var kernelWidth: [Int] = []
        var stemPatch = 2
        var downsamplePatch = 2
        var norm = NormalizationKind.layer
        var stemNorm = true
        var headNorm = true
        var expansion = 4
        var layerScale = 1e-6
        var dropPath = 0.0
        static let documentation: [String: FieldDoc] = [
            "widths": FieldDoc("Channels of each stage, input side first.", range: .atLeast(1)),
            "depths": FieldDoc("Blocks in each stage (one per width).", range: .atLeast(1)),
            "kernel_size": FieldDoc(
                "Depthwise kernel height (and width, unless kernel_width is set): one value for every stage or one "
                    + "per stage; odd, so the residual keeps the resolution (7 in ConvNeXt; 13, 31 … for large "
                    + "kernels).",
                range: .atLeast(1)),
            "kernel_width": FieldDoc(
                "Depthwise kernel widths for non-square kernels (kernel_size [31] with kernel_width [5] is 31×5): "
                    + "one value for every stage or one per stage; empty makes the kernels square.",
                range: .atLeast(1), type: .array(.integer)),
            "stem_patch": FieldDoc(
                "Patch size of the stem, a convolution with kernel = stride (4 in ConvNeXt).", range: .atLeast(1)),
            "downsample_patch": FieldDoc(
                "Patch size of the strided convolution between stages (2 in ConvNeXt).", range: .atLeast(1)),
            "norm": FieldDoc(
                "layer (ConvNeXt's LayerNorm over channels) or batch (BatchNorm, foldable into the convolutions).",
                choices: NormalizationKind.self),
            "stem_norm": FieldDoc("A norm after the stem convolution."),
            "head_norm": FieldDoc("A norm on the pooled features before the head."),
            "expansion": FieldDoc(
                "Hidden width of each block's pointwise MLP, times the stage width.", range: .atLeast(1)),
            "layer_scale": FieldDoc(
                "Initial layer-scale γ of each block (1e-6 in ConvNeXt); 0 turns it off.", range: .nonNegative),
            "drop_path": FieldDoc(
                "Largest stochastic-depth rate; it grows linearly from 0 over the blocks.",
                range: FieldRange.atLeast(0).below(1)),
        ]
        func validate(_ v: inout ConfigValidator) {
            v.check(!widths.isEmpty, key: "widths", "must list at least one stage")
            v.check(depths.count == widths.count, key: "depths", "must hold one value per width (\(widths.count))")
            v.check(
                kernelSize.count == 1 || kernelSize.count == widths.count, key: "kernel_size",
                "must hold one value or one per stage (\(widths.count))")
            v.check(
                kernelWidth.count <= 1 || kernelWidth.count == widths.count, key: "kernel_width",
                "must be empty or hold one value or one per stage (\(widths.count))")
            v.check(kernelSize.allSatisfy { $0 % 2 == 1 }, key: "kernel_size", "must be odd, got \(kernelSize)")
            v.check(kernelWidth.allSatisfy { $0 % 2 == 1 }, key: "kernel_width", "must be odd, got \(kernelWidth)")
        }

        /// The depthwise kernel of each stage, as the network takes them (one for all stages when both lists say so).
        var kernels: [KernelSize] {
            let stages = kernelSize.count == 1 && kernelWidth.count <= 1 ? 1 : widths.count
            return (0..<stages).map { i in
                let height = kernelSize.count == 1 ? kernelSize[0] : kernelSize[i]
                let width = kernelWidth.isEmpty ? height : kernelWidth.count == 1 ? kernelWidth[0] : kernelWidth[i]
                return KernelSize(height, width)
            }
        }

        /// The network's configuration for images of `inChannels` channels in `classes` classes.
        func network(inChannels: Int, classes: Int) -> LargeKernelCNNConfig {
            LargeKernelCNNConfig(
                inChannels: inChannels, classes: classes, widths: widths, depths: depths, kernelSizes: kernels,
                stemPatch: stemPatch, downsamplePatch: downsamplePatch, norm: norm, stemNorm: stemNorm,
                headNorm: headNorm, expansion: expansion, layerScale: layerScale > 0 ? Float(layerScale) : nil,
                dropPath: Float(dropPath))
        }
    }
    static let descriptor = PluginDescriptor(
        id: "model.lkcnn", kind: .model, version: "1.0.0",
        summary: "ConvNeXt-style large-kernel CNN: kernel size (non-square too), widths and depths configurable",
        config: Config.self)
    static let input = ModelInput.images

    static func makeModel(_ c: Config, task: TaskInfo, using rng: inout RandomGenerator) throws -> any Layer {
        let image = try task.imageShape(for: descriptor.id)
        // The stem and each downsampling convolution divide the size by their patch (rounding down).
        let side = (1..<c.widths.count).reduce(c.stemPatch) { size, _ in size * c.downsamplePatch }
        guard image.height >= side && image.width >= side else {
            let downsamplings = c.widths.count - 1
            throw imagesTooSmall(
                descriptor.id, height: image.height, width: image.width,
                need: "needs images of at least \(side)×\(side) (stem_patch \(c.stemPatch), then \(downsamplings) "
                    + "downsampling\(downsamplings == 1 ? "" : "s") by downsample_patch \(c.downsamplePatch))")
        }
        return LargeKernelCNN(c.network(inChannels: image.channels, classes: task.classCount), rng: &rng)
    }
}
