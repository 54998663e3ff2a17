/// Finds an alias written in the position of a mapping key (`*big : 1`, `? *big`), before Yams sees it.
///
/// Why a text scan: while composing, Yams hashes every mapping key to reject duplicates, and hashing
/// an alias hashes the whole tree it names. A 300-byte document whose keys alias a nested
/// "billion laughs" list keeps Yams busy for minutes, before any node budget can run. Specs never
/// need aliased keys, so they are refused outright. The scan skips comments, quoted scalars and block
/// scalars; a key-shaped `*name:` anywhere else is reported, which can only misfire on text that
/// libyaml would reject anyway.
enum AliasKeyScanner {
    /// The position of the first aliased key, if any.
    static func firstAliasKey(in text: String) -> SourceLocation? {
        var quote: Unicode.Scalar? = nil  // inside a quoted scalar that may span lines
        var blockIndent: Int? = nil  // inside a block scalar started on a line with this indentation
        for (lineIndex, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let chars = Array(line.unicodeScalars)
            let indent = chars.prefix { $0 == " " }.count
            if let parent = blockIndent {
                if indent > parent || chars.allSatisfy({ $0 == " " || $0 == "\r" }) { continue }
                blockIndent = nil
            }
            var i = 0
            var lastToken: Unicode.Scalar? = nil  // last non-space character outside quotes and comments
            while i < chars.count {
                let c = chars[i]
                if let q = quote {
                    if c == "\\" && q == "\"" {
                        i += 2
                        continue
                    }
                    if c == q {
                        if q == "'" && i + 1 < chars.count && chars[i + 1] == "'" {
                            i += 2
                            continue
                        }
                        quote = nil
                        lastToken = c
                    }
                    i += 1
                    continue
                }
                let atTokenStart = i == 0 || [" ", "\t", "[", "{", ","].contains(chars[i - 1])
                if c == "#" && (i == 0 || chars[i - 1] == " " || chars[i - 1] == "\t") { break }
                if (c == "\"" || c == "'") && atTokenStart {
                    quote = c
                } else if c == "?" && atTokenStart && (i + 1 == chars.count || chars[i + 1] == " ") {
                    let next = chars[(i + 1)...].first { $0 != " " }
                    if next == "*" { return SourceLocation(line: lineIndex + 1, column: i + 1) }
                } else if c == "*" && atTokenStart {
                    var j = i + 1
                    while j < chars.count && isAnchorCharacter(chars[j]) { j += 1 }
                    while j < chars.count && chars[j] == " " { j += 1 }
                    if j < chars.count && chars[j] == ":"
                        && (j + 1 == chars.count || [" ", ",", "]", "}", "\r"].contains(chars[j + 1]))
                    {
                        return SourceLocation(line: lineIndex + 1, column: i + 1)
                    }
                }
                if c != " " && c != "\t" && c != "\r" { lastToken = c }
                i += 1
            }
            // `key: |`, `- >-`, `text: |2+`: the following, more indented lines are literal text.
            if quote == nil, let end = lastToken, end == "|" || end == ">" || isBlockIndicatorTail(chars) {
                blockIndent = indent
            }
        }
        return nil
    }

    /// libyaml's anchor name characters.
    private static func isAnchorCharacter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
    }

    /// A line ending in a block scalar header with modifiers: `|-`, `>+`, `|2`, `>-2`.
    private static func isBlockIndicatorTail(_ chars: [Unicode.Scalar]) -> Bool {
        var end = chars.count
        while end > 0 && (chars[end - 1] == " " || chars[end - 1] == "\r") { end -= 1 }
        var start = end
        while start > 0 && ["+", "-", "1", "2", "3", "4", "5", "6", "7", "8", "9"].contains(chars[start - 1]) {
            start -= 1
        }
        guard start < end, start > 0, chars[start - 1] == "|" || chars[start - 1] == ">" else { return false }
        return start - 1 == 0 || chars[start - 2] == " "
    }
}
