public import TensorEngine

/// A node of a model tree: it holds parameters and child modules, and knows whether it is training.
///
/// Names come from the tree: a parameter's path is its owners' names and its own, joined by dots
/// (`layers.0.weight`). By default the members are found by reflection over stored properties in declaration
/// order — `Parameter`, any `Module`, and arrays, optionals and string-keyed dictionaries of them — with Swift's
/// lowerCamel property names turned into snake_case (`inProj` → `in_proj`). A module that wants other names
/// (`Sequential` names its children `0`, `1`, …) implements `directParameters` and `directChildren` itself.
///
/// Modules are classes: a model is one object graph that the optimizer and checkpoints refer to by name.
public protocol Module: AnyObject {
    /// Training mode (dropout active, batch statistics) versus evaluation mode. Set the whole tree with
    /// `train()` / `eval()`.
    var isTraining: Bool { get set }
    /// Parameters held directly by this module, with local names, in a fixed order.
    var directParameters: [NamedParameter] { get }
    /// Child modules with local names, in a fixed order.
    var directChildren: [(name: String, module: any Module)] { get }
}

/// A module with one tensor input and one tensor output.
public protocol Layer: Module {
    /// The layer applied to `x`; records on the graph when gradients are enabled.
    func forward(_ x: Tensor) -> Tensor
}

extension Layer {
    /// `forward(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }
}

extension Module {
    /// Found by reflection (see `Module`).
    public var directParameters: [NamedParameter] { ModuleReflection.members(of: self).parameters }
    /// Found by reflection (see `Module`).
    public var directChildren: [(name: String, module: any Module)] { ModuleReflection.members(of: self).children }
}

/// Reflection over a module's stored properties, for the default member lists.
enum ModuleReflection {
    static func members(of module: any Module) -> (
        parameters: [NamedParameter], children: [(name: String, module: any Module)]
    ) {
        var parameters: [NamedParameter] = []
        var children: [(name: String, module: any Module)] = []
        func visit(_ value: Any, _ name: String) {
            if let p = value as? Parameter {
                parameters.append(NamedParameter(name, p))
                return
            }
            if let m = value as? any Module {
                children.append((name, m))
                return
            }
            let mirror = Mirror(reflecting: value)
            switch mirror.displayStyle {
            case .optional?:
                if let some = mirror.children.first { visit(some.value, name) }
            case .collection?:
                // Looked at lazily: a large [Float] property is skipped after its first element.
                for (i, element) in mirror.children.enumerated() {
                    if i == 0 && !mayHoldMembers(element.value) { return }
                    visit(element.value, "\(name).\(i)")
                }
            case .dictionary?:
                guard let dict = value as? [String: Any] else { return }
                for key in dict.keys.sorted() { visit(dict[key]!, "\(name).\(key)") }
            default:
                return
            }
        }
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let m = mirror {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        // Superclass properties first, as they were declared first.
        for m in mirrors.reversed() {
            for child in m.children {
                guard let label = child.label, !label.contains("$") else { continue }
                visit(child.value, snakeCased(label.hasPrefix("_") ? String(label.dropFirst()) : label))
            }
        }
        return (parameters, children)
    }

    private static func mayHoldMembers(_ value: Any) -> Bool {
        if value is Parameter || value is any Module { return true }
        switch Mirror(reflecting: value).displayStyle {
        case .optional?, .collection?, .dictionary?: return true
        default: return false
        }
    }

    /// `inProj` → `in_proj`, `fc1` → `fc1`, `qkvWeight` → `qkv_weight`.
    static func snakeCased(_ name: String) -> String {
        var out = ""
        var previousIsLowerOrDigit = false
        for ch in name {
            if ch.isUppercase {
                if previousIsLowerOrDigit { out.append("_") }
                out.append(contentsOf: ch.lowercased())
                previousIsLowerOrDigit = false
            } else {
                out.append(ch)
                previousIsLowerOrDigit = ch.isLowercase || ch.isNumber
            }
        }
        return out
    }
}
