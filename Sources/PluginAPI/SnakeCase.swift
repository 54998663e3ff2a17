import Foundation

extension String {
    /// The snake_case spelling of a lowerCamel Swift name: `weightDecay` → `weight_decay`,
    /// `useGPUKernels` → `use_gpu_kernels`. Already snake_case text is returned unchanged, so a
    /// `CodingKeys` that spells keys out by hand keeps working.
    ///
    /// Configs are written in lowerCamel Swift and read from snake_case YAML; both the config encoder
    /// and decoder apply this one function, so the two directions cannot disagree.
    package var snakeCased: String {
        let scalars = Array(unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in scalars.enumerated() {
            let isUpper = CharacterSet.uppercaseLetters.contains(c)
            if isUpper, i > 0 {
                let previous = scalars[i - 1]
                let nextIsLower = i + 1 < scalars.count && CharacterSet.lowercaseLetters.contains(scalars[i + 1])
                let previousIsUpper = CharacterSet.uppercaseLetters.contains(previous)
                // Break before a word start: `weightDecay`, and the last capital of an acronym: `GPUKernels`.
                if previous != "_" && (!previousIsUpper || nextIsLower) { out.append("_") }
            }
            out.append(contentsOf: isUpper ? String(c).lowercased().unicodeScalars : String(c).unicodeScalars)
        }
        return String(out)
    }
}
