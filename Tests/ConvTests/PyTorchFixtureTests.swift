import Foundation
import Testing
import TensorEngine
import TestSupport

/// Forward values and gradients against PyTorch 1.13, recorded by `tools/fixtures/make_conv_fixtures.py` into
/// `Fixtures/conv_fixtures.json` (re-record: run that script). Each case backpropagates the recorded upstream
/// gradient and compares the output and every input's gradient.
@Suite struct PyTorchFixtureTests {
    static let caseNames = [
        "conv_basic", "conv_strided", "conv_padded_asymmetric", "conv_dilated", "conv_grouped", "conv_pointwise",
        "conv_depthwise_7x7", "conv_depthwise_31x31", "conv_depthwise_31x5",
        "batch_norm_train", "batch_norm_eval", "layer_norm_last", "layer_norm_last_two",
        "max_pool_3s2p1", "avg_pool_3s2p1", "avg_pool_3s2p1_exclude_pad", "avg_pool_2",
        "resize_nearest_up", "resize_nearest_down", "resize_bilinear_up", "resize_bilinear_down",
    ]

    static let fixtures: FixtureFile? = {
        guard let url = Bundle.module.url(forResource: "conv_fixtures", withExtension: "json", subdirectory: "Fixtures"),
            let data = try? Data(contentsOf: url)
        else { return nil }
        return try? JSONDecoder().decode(FixtureFile.self, from: data)
    }()

    @Test func fixtureFileHasEveryCase() {
        guard let file = Self.fixtures else {
            Issue.record("Fixtures/conv_fixtures.json is missing or unreadable: run tools/fixtures/make_conv_fixtures.py")
            return
        }
        #expect(Set(file.cases.keys) == Set(Self.caseNames), "fixture cases differ from the tested list")
    }

    @Test(arguments: caseNames)
    func matchesPyTorch(_ name: String) throws {
        let c = try #require(Self.fixtures?.cases[name], "fixture case \(name) is missing: re-run the generator")
        let inputs = c.inputs.mapValues(\.tensor)
        switch c.op {
        case "conv2d":
            let o = c.options
            let (s, p, d) = (o["stride"]!.ints, o["padding"]!.ints, o["dilation"]!.ints)
            let options = Conv2DOptions(stride: (s[0], s[1]), padding: (p[0], p[1], p[2], p[3]), dilation: (d[0], d[1]),
                                        groups: o["groups"]!.int)
            let g = Tensor.convGeometry(inputs["x"]!.shape, inputs["weight"]!.shape, inputs["bias"]?.shape, options)
            for algo in ConvAlgorithm.allCases where algo.supports(g) {
                check(c, inputs, "\(name) via \(algo)") {
                    $0["x"]!.conv2d(weight: $0["weight"]!, bias: $0["bias"], options: options, algorithm: algo)
                }
            }
        case "batch_norm":
            let extra = c.extra!.mapValues(\.tensor)
            let train = c.options["mode"]!.string == "train"
            var stats = BatchNormStatistics(mean: extra["running_mean_before"]!, variance: extra["running_var_before"]!)
            check(c, inputs, name) {
                var s = stats
                return $0["x"]!.batchNorm(weight: $0["weight"], bias: $0["bias"], statistics: &s,
                                          mode: train ? .train : .eval)
            }
            if train {
                _ = inputs["x"]!.batchNorm(weight: inputs["weight"], bias: inputs["bias"], statistics: &stats, mode: .train)
                expectClose(stats.mean.scalars, extra["running_mean_after"]!.scalars, "\(name) running mean")
                expectClose(stats.variance.scalars, extra["running_var_after"]!.scalars, "\(name) running variance")
            }
        case "layer_norm":
            check(c, inputs, name) {
                $0["x"]!.layerNorm(weight: $0["weight"], bias: $0["bias"], normalizedRank: c.options["normalized_rank"]!.int)
            }
        case "max_pool2d":
            let (k, s, p) = (c.options["kernel"]!.int, c.options["stride"]!.int, c.options["padding"]!.int)
            check(c, inputs, name) { $0["x"]!.maxPool2d(kernel: k, stride: s, padding: p) }
        case "avg_pool2d":
            let (k, s, p) = (c.options["kernel"]!.int, c.options["stride"]!.int, c.options["padding"]!.int)
            let countPadding = c.options["count_include_pad"]!.bool
            check(c, inputs, name) { $0["x"]!.avgPool2d(kernel: k, stride: s, padding: p, countPadding: countPadding) }
        case "resize":
            let size = c.options["size"]!.ints
            let mode: ResizeMode = c.options["mode"]!.string == "nearest" ? .nearest : .bilinear
            check(c, inputs, name) { $0["x"]!.resized(height: size[0], width: size[1], mode: mode) }
        default:
            Issue.record("fixture \(name): unknown op \(c.op)")
        }
    }

    /// Runs `f` on leaves made of the inputs, backpropagates the recorded upstream gradient and compares.
    private func check(
        _ c: FixtureCase, _ inputs: [String: Tensor], _ what: String, sourceLocation: SourceLocation = #_sourceLocation,
        _ f: ([String: Tensor]) -> Tensor
    ) {
        let leaves = inputs.mapValues { $0.requiringGrad() }
        let y = f(leaves)
        expectClose(y.scalars, c.output.tensor.scalars, tolerance: 2e-5, "\(what) output", sourceLocation: sourceLocation)
        (y * c.upstream.tensor).sum().backward()
        for (k, expected) in c.grads {
            guard let grad = leaves[k]?.grad else {
                Issue.record("\(what): no gradient for \(k)", sourceLocation: sourceLocation)
                continue
            }
            expectClose(grad.scalars, expected.tensor.scalars, tolerance: 1e-4, "\(what) d\(k)", sourceLocation: sourceLocation)
        }
    }
}

struct FixtureFile: Decodable {
    let meta: [String: String]
    let cases: [String: FixtureCase]
}

struct FixtureCase: Decodable {
    let op: String
    let options: [String: FixtureValue]
    let inputs: [String: FixtureTensor]
    let output: FixtureTensor
    let upstream: FixtureTensor
    let grads: [String: FixtureTensor]
    let extra: [String: FixtureTensor]?
}

struct FixtureTensor: Decodable {
    let shape: [Int]
    let data: [Float]
    var tensor: Tensor { Tensor(shape, data) }
}

/// An option value: a number, string, bool or list of numbers.
enum FixtureValue: Decodable {
    case number(Double), string(String), bool(Bool), list([Double])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { self = .list(try c.decode([Double].self)) }
    }

    var int: Int { if case .number(let d) = self { return Int(d) }; preconditionFailure("fixture option \(self) is not a number") }
    var ints: [Int] { if case .list(let l) = self { return l.map { Int($0) } }; preconditionFailure("fixture option \(self) is not a list") }
    var string: String { if case .string(let s) = self { return s }; preconditionFailure("fixture option \(self) is not a string") }
    var bool: Bool { if case .bool(let b) = self { return b }; preconditionFailure("fixture option \(self) is not a bool") }
}
