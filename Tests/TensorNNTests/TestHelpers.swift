import Foundation
import TensorEngine
import TensorNN
import Testing

/// Sets `p.grad` to exactly `g`: d/dp Σ(p·g) = 1·g.
func injectGradient(_ g: Tensor, into p: Parameter) {
    p.zeroGrad()
    (p.value * g.detached()).sum().backward()
}

/// The bit patterns of a tensor's elements, for exact comparisons (NaN-safe).
func bits(_ t: Tensor) -> [UInt32] { t.scalars.map(\.bitPattern) }

/// A fresh empty directory under the system temp folder.
func temporaryDirectory(_ label: String = #function) -> URL {
    let clean = label.filter { $0.isLetter || $0.isNumber }
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("kiln-nn-\(clean)-\(UUID().uuidString)", isDirectory: true)
    try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Fraction of rows whose arg-max equals the label.
func accuracy(_ logits: Tensor, _ labels: Tensor) -> Double {
    let c = logits.shape[1]
    let l = logits.scalars
    let y = labels.scalars
    var right = 0
    for i in 0..<logits.shape[0] {
        let row = l[(i * c)..<((i + 1) * c)]
        let best = row.indices.max { row[$0] < row[$1] }! - i * c
        if best == Int(y[i]) { right += 1 }
    }
    return Double(right) / Double(logits.shape[0])
}
