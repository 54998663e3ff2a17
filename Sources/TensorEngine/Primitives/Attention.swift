extension Tensor {
    /// Softmax of scale·x over the last axis of scores [..., T, S], with an optional causal mask: query row i
    /// (position i among the last T of S keys) sees keys 0…i + S − T and gets probability 0 for the rest.
    /// One fused pass (no mask tensor, no −∞). Records: dx = scale·y·(g − Σ g·y), 0 at masked entries.
    public func maskedSoftmax(scale: Float = 1, causal: Bool) -> Tensor {
        precondition(rank >= 2, "maskedSoftmax: scores must be [..., T, S], got \(shape)")
        let t = shape[rank - 2], s = shape[rank - 1]
        precondition(!causal || s >= t, "maskedSoftmax: a causal mask needs at least as many keys as queries, got \(shape)")
        let rows = count / Swift.max(s, 1)
        let x = self
        let y = Tensor.make(shape: shape) { out in
            let o = out.baseAddress!, src = x.storage.base
            parallelFor(rows, grain: Swift.max(1, parallelGrain / Swift.max(s, 1))) { r in
                for row in r {
                    let visible = visibleKeys(query: row % t, queries: t, keys: s, causal: causal)
                    maskedSoftmaxRow(src + row * s, o + row * s, n: s, visible: visible, scale: scale)
                }
            }
        }
        return Tensor.record("masked_softmax", y, [x]) { g, _ in
            [Tensor.make(shape: y.shape) { d in
                let dp = d.baseAddress!, gp = g.storage.base, yp = y.storage.base
                parallelFor(rows, grain: Swift.max(1, parallelGrain / Swift.max(s, 1))) { r in
                    for row in r {
                        let visible = visibleKeys(query: row % t, queries: t, keys: s, causal: causal)
                        maskedSoftmaxRowBackward(gp + row * s, yp + row * s, dp + row * s, n: s, visible: visible,
                                                 scale: scale)
                    }
                }
            }]
        }
    }

    /// The additive causal mask [T, S]: 0 where query i may see key j (j ≤ i + S − T), −∞ elsewhere. For
    /// composing attention by hand (`(scores + mask).softmax()`); `maskedSoftmax` does the same in one pass.
    public static func causalMask(queries t: Int, keys s: Int) -> Tensor {
        precondition(s >= t && t >= 0, "causalMask: \(t) queries need at least as many keys, got \(s)")
        return make(shape: [t, s]) { out in
            for i in 0..<t {
                let visible = visibleKeys(query: i, queries: t, keys: s, causal: true)
                for j in 0..<s { out[i * s + j] = j < visible ? 0 : -.infinity }
            }
        }
    }

    /// Multi-head scaled dot-product self-attention on a packed projection qkv [B, T, 3·D] → [B, T, D].
    ///
    /// The last axis holds q, k and v side by side, each split into `heads` heads of D/heads columns (the layout
    /// of a `qkv` Linear followed by PyTorch's `split(D)` and `reshape(B, T, H, D/H)`). Per (batch, head):
    /// Y = softmax(mask(Q·Kᵀ/√(D/H)))·V, written straight into the head's columns of [B, T, D], so no split,
    /// permute or concatenation is materialised. One fused primitive: the forward runs one small sgemm pair per
    /// (batch, head) in parallel and keeps the probabilities [B, H, T, T] for the backward pass. Records:
    /// dV = Pᵀ·dY, dS = P ⊙ (dP − rowsum(dP ⊙ P))/√(D/H) with dP = dY·Vᵀ, dQ = dS·K, dK = dSᵀ·Q.
    public func selfAttention(heads: Int, causal: Bool = true) -> Tensor {
        precondition(rank == 3 && heads > 0 && shape[2] % (3 * heads) == 0,
                     "selfAttention: qkv must be [B, T, 3·D] with D divisible by \(heads) heads, got \(shape)")
        let geometry = AttentionGeometry(batch: shape[0], tokens: shape[1], heads: heads, dim: shape[2] / (3 * heads),
                                         causal: causal)
        let qkv = self
        let probs = TensorStorage(uninitializedCount: geometry.batch * heads * geometry.tokens * geometry.tokens)
        let y = Tensor.make(shape: [geometry.batch, geometry.tokens, geometry.width]) { out in
            attentionForward(geometry, qkv: qkv.storage.base, probs: probs.base, y: out.baseAddress!)
        }
        return Tensor.record("self_attention", y, [qkv]) { g, _ in
            [Tensor.make(shape: qkv.shape) { d in
                attentionBackward(geometry, qkv: qkv.storage.base, probs: probs.base, dy: g.storage.base,
                                  dqkv: d.baseAddress!)
            }]
        }
    }
}
