/// "Did you mean" support: close names by edit distance.
public enum NameSuggestions {
    /// The optimal-string-alignment distance between `a` and `b`, ignoring case: insertions,
    /// deletions, substitutions and swaps of neighbours each cost 1 (`warmpu` is 1 from `warmup`).
    public static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.lowercased())
        let t = Array(b.lowercased())
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        // Three rolling rows: the swap rule looks two rows back.
        var before = [Int](repeating: 0, count: t.count + 1)
        var previous = Array(0...t.count)
        var current = [Int](repeating: 0, count: t.count + 1)
        for i in 1...s.count {
            current[0] = i
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    current[j] = min(current[j], before[j - 2] + 1)
                }
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[t.count]
    }

    /// The largest distance still worth suggesting for a name of this length: short names allow
    /// one edit, longer ones about a third of their length, never more than three.
    public static func threshold(for name: String) -> Int { max(1, min(3, name.count / 3)) }

    /// Up to `limit` candidates close to `name`, closest first, ties alphabetical.
    public static func closest(to name: String, in candidates: some Sequence<String>, limit: Int = 3) -> [String] {
        let scored = Set(candidates).compactMap { candidate -> (String, Int)? in
            let d = distance(name, candidate)
            // A prefix match is likely a truncation ("hid" for "hidden") or an addition ("model_data"
            // for "model") even when it is far in edits.
            let (a, b) = (name.lowercased(), candidate.lowercased())
            let isPrefix = (a.count >= 3 && b.hasPrefix(a)) || (b.count >= 3 && a.hasPrefix(b))
            return d <= threshold(for: name) || isPrefix ? (candidate, d) : nil
        }
        return scored.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.prefix(limit).map(\.0)
    }
}
