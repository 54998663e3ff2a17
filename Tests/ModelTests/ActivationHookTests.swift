import TensorEngine
import TensorNN
import Testing
import TestSupport

/// Reading and editing activations at (layer, site, token), as interventions do.
@Suite struct ActivationHookTests {
    func model() -> GPT {
        var rng = RandomGenerator(seed: 1)
        return GPT(GPTConfiguration(vocabulary: 20, context: 6, width: 8, heads: 2, layers: 2, embeddingStd: 0.5), rng: &rng)
    }

    let ids = Tensor([2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

    @Test func hookSeesEverySiteInOrderAndReadingChangesNothing() {
        let gpt = model()
        var seen: [String] = []
        var shapes: [[Int]] = []
        let hooked = gpt.forward(ids) { site, x in
            seen.append(site.description)
            shapes.append(x.shape)
            return x
        }
        let points = ["block_input", "attention_output", "mlp_hidden", "mlp_output", "block_output"]
        #expect(seen == [0, 1].flatMap { l in points.map { "blocks.\(l).\($0)" } })
        #expect(shapes.filter { $0 == [2, 5, 32] }.count == 2 && shapes.filter { $0 == [2, 5, 8] }.count == 8)
        #expect(hooked.scalars == gpt.forward(ids).scalars)
    }

    @Test func residualStreamEndsWhereTheHeadBegins() {
        let gpt = model()
        let stream = gpt.residualStream(ids)
        #expect(stream.count == 3 && stream.allSatisfy { $0.shape == [2, 5, 8] })
        #expect(gpt.head(stream[2]).scalars == gpt.forward(ids).scalars)
        // Token 3 of sequence 1 at the output of block 0, as a [D] vector.
        let key = stream[1].index(1).index(3)
        #expect(key.shape == [8])
    }

    @Test func editingAnActivationAtOneTokenChangesOnlyThatTokenAndLater() {
        let gpt = model()
        let plain = gpt.forward(ids)
        // Zero the MLP output of block 1 at token 2 of every sequence.
        let keep = Tensor([1, 5, 1], [1, 1, 0, 1, 1])
        let edited = gpt.forward(ids) { site, x in
            site == ActivationSite(layer: 1, point: .mlpOutput) ? x * keep : x
        }
        let v = 20
        for b in 0..<2 {
            for t in 0..<5 {
                let a = Array(plain.scalars[((b * 5 + t) * v)..<((b * 5 + t + 1) * v)])
                let e = Array(edited.scalars[((b * 5 + t) * v)..<((b * 5 + t + 1) * v)])
                // Block 1 is the last: the edit reaches token 2's logits only.
                #expect((a == e) == (t != 2), "sequence \(b) token \(t)")
            }
        }
    }

    @Test func gradientsFlowThroughWhatTheHookReturns() {
        let gpt = model()
        let steer = Tensor.zeros([8]).requiringGrad()
        let loss = gpt.loss(ids, targets: ids) { site, x in
            site == ActivationSite(layer: 0, point: .blockOutput) ? x + steer : x
        }
        loss.backward()
        #expect(steer.grad != nil && steer.grad!.scalars.contains { $0 != 0 })
    }
}
