import Foundation
import PluginAPI

/// Reads `sweep:` and turns it into points: grid axes crossed, random axes drawn from a seeded stream.
///
/// ```yaml
/// sweep:
///   optimizer.lr: [1e-3, 3e-3]                  # grid
///   train.batch: [64, 128]                      # grid: 2 × 2 = 4 points
///   optimizer.weight_decay: {log_uniform: [1e-5, 1e-2]}
///   samples: 3                                  # draws per grid point: 12 children
/// ```
struct SweepExpander {
    /// An axis with the positions its values came from, so a bad value is reported where it is written.
    struct LocatedAxis {
        var axis: SweepAxis
        var location: SourceLocation
        var gridLocations: [SourceLocation]
        /// `sweep["optimizer.lr"]`: the entry as problems name it.
        var keyPath: ConfigKeyPath
        /// Where the entry's key is written.
        var keyLocation: SourceLocation
        /// Where a uniform or log-uniform axis writes its bounds.
        var boundsLocation: SourceLocation? = nil
        /// True when a random axis draws whole numbers: the key it sets is an integer (see ``type(_:in:)``).
        var drawsIntegers = false
    }

    /// One child before resolution: each assignment with the position to blame for it.
    struct Point {
        var assignments: [(SweepAssignment, SourceLocation)]
    }

    let file: String
    let maxPoints: Int
    var problems: [SpecProblem] = []

    init(file: String, maxPoints: Int) {
        self.file = file
        self.maxPoints = maxPoints
    }

    /// Every point: grid axes crossed (last fastest), `samples` draws of the random axes at each.
    func points(of axes: [LocatedAxis], samples: Int, seed: Int) -> [Point] {
        var rng = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
        let grid = axes.indices.filter { !axes[$0].axis.isRandom }
        let random = axes.indices.filter { axes[$0].axis.isRandom }
        var combos: [[(Int, ConfigValue, SourceLocation)]] = [[]]
        for i in grid {
            guard case .grid(let values) = axes[i].axis.values else { continue }
            combos = combos.flatMap { combo in
                zip(values, axes[i].gridLocations).map { combo + [(i, $0.0, $0.1)] }
            }
        }
        var points: [Point] = []
        for combo in combos {
            for _ in 0..<samples {
                let drawn = random.map {
                    (
                        $0, Self.draw(axes[$0].axis.values, integers: axes[$0].drawsIntegers, using: &rng),
                        axes[$0].location
                    )
                }
                let all = (combo + drawn).sorted { $0.0 < $1.0 }
                points.append(
                    Point(assignments: all.map { (SweepAssignment(path: axes[$0.0].axis.path, value: $0.1), $0.2) }))
            }
        }
        return points
    }

    /// The axes and the sample count, or nil after reporting why the sweep is unusable.
    mutating func parse(_ node: SourceNode) -> ([LocatedAxis], Int)? {
        guard let entries = node.entries, !entries.isEmpty else {
            problem(.wrongType, node.location, "sweep", "expected a mapping of keys to value lists or random draws")
            return nil
        }
        var axes: [LocatedAxis] = []
        var samples: Int?
        var broken = false
        // A mapping is a random axis even when it is malformed: 'samples' beside it is not also told it lacks one.
        let randomWritten = entries.contains { $0.key != "samples" && $0.value.entries != nil }
        for entry in entries {
            let keyPath = ConfigKeyPath([.key("sweep"), .key(entry.key)])
            if entry.key == "samples" {
                guard let n = entry.value.value.int, n >= 1 else {
                    problem(
                        .outOfRange, entry.value.location, keyPath, "must be an integer >= 1 (got \(entry.value.value))"
                    )
                    broken = true
                    continue
                }
                samples = n
                continue
            }
            let path = ConfigKeyPath(parsing: entry.key)
            if path.isEmpty || [ConfigKeyPath.Component.key("sweep"), .key("name")].contains(path.components[0]) {
                problem(.invalidValue, entry.keyLocation, keyPath, "'\(entry.key)' cannot be swept")
                broken = true
                continue
            }
            if let axis = axis(path, entry.value, keyPath, at: entry.keyLocation) {
                axes.append(axis)
            } else {
                broken = true
            }
        }
        if axes.contains(where: \.axis.isRandom) && samples == nil {
            problem(
                .missingKey, node.location, "sweep.samples",
                "random axes need 'samples', the number of draws per grid point")
            broken = true
        } else if !randomWritten, samples != nil {
            problem(
                .invalidValue, node.location, "sweep.samples",
                "'samples' needs at least one random axis (uniform, log_uniform, choice)")
            broken = true
        }
        if axes.isEmpty && !broken {
            problem(.invalidValue, node.location, "sweep", "the sweep names no keys")
            broken = true
        }
        guard !broken else { return nil }
        var count = samples ?? 1
        for case .grid(let values) in axes.map(\.axis.values) {
            count = count.multipliedReportingOverflow(by: values.count).partialValue
            if count > maxPoints || count < 0 { break }
        }
        guard count <= maxPoints && count > 0 else {
            problem(.outOfRange, node.location, "sweep", "the sweep has more than \(maxPoints) points")
            return nil
        }
        return (axes, samples ?? 1)
    }

    private mutating func axis(
        _ path: ConfigKeyPath, _ node: SourceNode, _ keyPath: ConfigKeyPath, at keyLocation: SourceLocation
    ) -> LocatedAxis? {
        switch node.content {
        case .sequence(let items) where !items.isEmpty:
            return LocatedAxis(
                axis: SweepAxis(path: path, values: .grid(items.map(\.value))), location: node.location,
                gridLocations: items.map(\.location), keyPath: keyPath, keyLocation: keyLocation)
        case .mapping(let entries) where entries.count == 1:
            let kind = entries[0].key
            let args = entries[0].value
            let values = args.value.array ?? []
            let at = keyPath.appending(kind)
            // A draw may never pick an infinite choice, and an infinite bound passes `low < high`: check both here.
            let infinite = (args.sequence ?? []).enumerated().filter { $0.element.value.double?.isFinite == false }
            for (i, item) in infinite {
                problem(
                    .outOfRange, item.location, at.appending(index: i), "must be a finite number (got \(item.value))")
            }
            guard infinite.isEmpty else { return nil }
            switch kind {
            case "choice" where !values.isEmpty:
                return LocatedAxis(
                    axis: SweepAxis(path: path, values: .choice(values)), location: node.location, gridLocations: [],
                    keyPath: keyPath, keyLocation: keyLocation)
            case "uniform", "log_uniform":
                guard values.count == 2, let low = values[0].double, let high = values[1].double, low < high else {
                    problem(.invalidValue, args.location, at, "expected [low, high] with low < high")
                    return nil
                }
                guard kind == "uniform" || low > 0 else {
                    problem(.outOfRange, args.location, at, "log_uniform needs low > 0")
                    return nil
                }
                let draw: SweepAxis.Values =
                    kind == "uniform"
                    ? .uniform(low: values[0], high: values[1]) : .logUniform(low: values[0], high: values[1])
                return LocatedAxis(
                    axis: SweepAxis(path: path, values: draw), location: node.location, gridLocations: [],
                    keyPath: keyPath, keyLocation: keyLocation, boundsLocation: args.location)
            case "choice":
                problem(.invalidValue, args.location, at, "expected a non-empty list of values")
                return nil
            default:
                let close = NameSuggestions.closest(to: kind, in: ["uniform", "log_uniform", "choice"])
                let hint = close.first.map { "; did you mean '\($0)'?" } ?? ""
                problem(.unknownKey, entries[0].keyLocation, at, "unknown draw '\(kind)'\(hint)", suggestions: close)
                return nil
            }
        default:
            problem(
                .wrongType, node.location, keyPath,
                "expected a non-empty list (grid) or one of {uniform: [low, high]}, "
                    + "{log_uniform: [low, high]}, {choice: [...]}")
            return nil
        }
    }

    /// Sets how each random axis draws, from the type of the key it sets in `tree` (the base spec resolved,
    /// every default written with its type): an integer key draws whole numbers, a number key draws numbers
    /// whatever its bounds look like (`weight_decay: {uniform: [0, 1]}`). Bounds decide only for a key the tree
    /// lacks or leaves null: two integers draw integers. Reports bounds that cannot fit the key.
    mutating func type(_ axes: inout [LocatedAxis], in tree: ConfigValue?) {
        for i in axes.indices {
            let path = axes[i].axis.path
            let (kind, low, high): (String, ConfigValue, ConfigValue)
            switch axes[i].axis.values {
            case .uniform(let l, let h): (kind, low, high) = ("uniform", l, h)
            case .logUniform(let l, let h): (kind, low, high) = ("log_uniform", l, h)
            case .grid, .choice: continue
            }
            let at = axes[i].keyPath.appending(kind)
            let location = axes[i].boundsLocation ?? axes[i].location
            switch tree?[path] {
            case .int?:
                guard low.int != nil, high.int != nil else {
                    problem(
                        .wrongType, location, at,
                        "\(path) is an integer; the bounds must be whole numbers (got [\(low), \(high)])")
                    continue
                }
                axes[i].drawsIntegers = true
            case .double?:
                axes[i].drawsIntegers = false
            case nil, .null?:
                if case .int = low, case .int = high { axes[i].drawsIntegers = true }
            case let other?:
                problem(.wrongType, location, at, "\(path) holds \(other.typeDescription), not a number")
            }
        }
    }

    /// `base` with each list that an axis indexes into but the spec leaves to its default written out from
    /// `tree`, so `optimizer.betas[0]` can be swept without writing `betas`. Reports an index the list lacks,
    /// and a list the tree does not know either.
    mutating func writingDefaultedLists(into base: SourceNode, for axes: [LocatedAxis], tree: ConfigValue?)
        -> SourceNode
    {
        var root = base
        for axis in axes {
            let components = axis.axis.path.components
            for (i, component) in components.enumerated() {
                guard case .index(let n) = component else { continue }
                let list = ConfigKeyPath(Array(components[..<i]))
                if root[path: list] == nil {
                    guard case .array(let items)? = tree?[list] else {
                        problem(
                            .invalidValue, axis.keyLocation, axis.keyPath,
                            "write \(list) in the spec to sweep one of its entries")
                        break
                    }
                    root = root.setting(SourceNode(.array(items), at: axis.keyLocation), at: list)
                }
                if let items = root[path: list]?.sequence, !items.indices.contains(n) {
                    problem(
                        .outOfRange, axis.keyLocation, axis.keyPath,
                        "\(list) has \(items.count) entries, so there is no [\(n)]")
                    break
                }
            }
            // A key inside a plain value (`eval.evaluators[0].top_k` where the entry is written `eval.accuracy`)
            // could not be set: every child would silently run without it.
            if let (at, value) = root.obstacle(along: axis.axis.path) {
                let isIndex = if case .index = axis.axis.path.components[at.components.count] { true } else { false }
                let written = value.array == nil && value.object == nil ? " (\(value))" : ""
                problem(
                    .invalidValue, axis.keyLocation, axis.keyPath,
                    "cannot sweep inside \(at.isEmpty ? "the spec" : at.description): it is written as "
                        + "\(value.typeDescription)\(written); write it as "
                        + (isIndex ? "a list to sweep its entries" : "a mapping to sweep its keys"))
            }
        }
        return root
    }

    /// One draw; `integers` rounds it to a whole number (the bounds are then whole numbers too).
    static func draw(_ values: SweepAxis.Values, integers: Bool, using rng: inout SplitMix64) -> ConfigValue {
        switch values {
        case .grid(let items), .choice(let items):
            return items[rng.integer(in: 0...(items.count - 1))]
        case .uniform(let low, let high):
            if integers, let lo = low.int, let hi = high.int { return .int(rng.integer(in: lo...hi)) }
            let (a, b) = (low.double!, high.double!)
            return .double(a + rng.unit() * (b - a))
        case .logUniform(let low, let high):
            let (a, b) = (low.double!, high.double!)
            let x = exp(log(a) + rng.unit() * (log(b) - log(a)))
            if integers, let lo = low.int, let hi = high.int { return .int(min(hi, max(lo, Int(x.rounded())))) }
            return .double(x)
        }
    }

    /// `007-lr=0.003,batch=64`: index padded to the sweep's width, then each swept key and value.
    static func label(index: Int, count: Int, assignments: [SweepAssignment]) -> String {
        let width = max(3, String(max(count - 1, 0)).count)
        let number = String(repeating: "0", count: max(0, width - String(index).count)) + String(index)
        let lastKeys = assignments.map { $0.path.lastKey ?? $0.path.description }
        let parts = assignments.enumerated().map { i, a in
            // Two axes ending in the same key (`model.lr`, `optimizer.lr`) are told apart by full path.
            let key = lastKeys.filter { $0 == lastKeys[i] }.count > 1 ? a.path.description : lastKeys[i]
            return "\(key)=\(text(a.value))"
        }
        let tail = String(sanitize(parts.joined(separator: ",")).prefix(80))
        return tail.isEmpty ? number : "\(number)-\(tail)"
    }

    private static func text(_ value: ConfigValue) -> String {
        switch value {
        case .double(let d): String(format: "%.4g", d)
        case .array(let items): items.map(text).joined(separator: "_")
        default: value.description
        }
    }

    private static func sanitize(_ s: String) -> String {
        String(
            s.unicodeScalars.map { c -> Character in
                CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._=,+-")
                    .contains(c) ? Character(c) : "_"
            })
    }

    private mutating func problem(
        _ kind: SpecProblem.Kind, _ location: SourceLocation, _ path: ConfigKeyPath, _ message: String,
        suggestions: [String] = []
    ) {
        problems.append(SpecProblem(kind, file: file, at: location, keyPath: path, message, suggestions: suggestions))
    }
}
