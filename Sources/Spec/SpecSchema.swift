public import PluginAPI

/// The JSON Schema (draft 2020-12) of the spec format for a given set of plugins: `kiln schema`.
///
/// Each plugin slot is a `oneOf` over the registered plugins, told apart by a `const` selector
/// (`plugin: optim.adamw`), each with its configuration's keys, types, defaults, documentation,
/// choices and ranges, and `additionalProperties: false`, so an editor flags unknown keys as they
/// are typed. It is built from the same descriptors the loader checks against.
public enum SpecSchema {
    /// The schema's `$schema` dialect.
    public static let dialect = "https://json-schema.org/draft/2020-12/schema"

    /// The schema as a tree.
    public static func schema(for registry: PluginRegistry) -> ConfigValue {
        let header = fields(SpecHeader.self)
        var properties = objectProperties(header, prefix: "").properties
        properties["data"] = slot(
            registry.plugins(of: .dataset).map {
                plugin($0, selector: "dataset", extra: ["augment": ["$ref": "#/$defs/augment"]])
            })
        properties["model"] = slot(registry.plugins(of: .model).map { plugin($0, selector: "plugin") })
        properties["optimizer"] = ["$ref": "#/$defs/optimizer"]
        let loop = fields(TrainingLoop.self)
        properties["train"] = slot(
            registry.plugins(of: .method).map { plugin($0, selector: "method", sectionFields: loop) })
        properties["stages"] = [
            "type": "array", "minItems": 1,
            "description": "Stages run in order, each taking the model from the one before.",
            "items": stageItems(registry, loop: loop),
        ]
        var eval = section(EvalSection.self, description: "When to evaluate, and with what.")
        let evaluators = registry.plugins(of: .evaluator)
        let evaluatorEntry: ConfigValue = [
            "anyOf": [
                ["enum": .array(evaluators.map { .string($0.id) })],
                slot(evaluators.map { plugin($0, selector: "plugin") }),
            ]
        ]
        eval = adding(
            [
                "evaluators": [
                    "type": "array", "items": evaluatorEntry, "description": "Evaluators, by id or with settings.",
                ]
            ], to: eval)
        properties["eval"] = eval
        properties["checkpoint"] = section(
            CheckpointPolicy.self, description: "When checkpoints are written and how many are kept.")
        properties["resources"] = section(ResourceHints.self, description: "Hints for the scheduler.")
        properties["sweep"] = sweepSchema
        let optimizerDef = slot(
            registry.plugins(of: .optimizer).map {
                plugin(
                    $0, selector: "plugin",
                    extra: ["schedule": section(LRSchedule.self, description: "Learning-rate schedule.")])
            })
        return [
            "$schema": .string(dialect),
            "$id": "urn:kiln:spec",
            "title": "Kiln experiment spec",
            "type": "object",
            "properties": .object(properties),
            "required": ["data", "model"],
            "oneOf": [["required": ["train"]], ["required": ["stages"]]],
            "additionalProperties": false,
            "$defs": [
                "optimizer": optimizerDef,
                "augment": section(
                    DataAugmentation.self,
                    description:
                        "Image transforms: random crop and flip of training batches, normalisation of every split."),
            ],
        ]
    }

    /// The schema as pretty-printed JSON text.
    public static func jsonText(for registry: PluginRegistry) -> String { schema(for: registry).jsonText() + "\n" }

    // MARK: Pieces

    private static func stageItems(_ registry: PluginRegistry, loop: [FieldDescription]) -> ConfigValue {
        let name: ConfigObject = [
            "name": [
                "type": "string", "description": "Stage name, unique in the chain; defaults to the plugin's name.",
            ]
        ]
        var variants: [ConfigValue] = []
        var ids: [ConfigValue] = []
        for d in registry.plugins where [.stage, .method, .evaluator].contains(d.kind) {
            ids.append(.string(d.id))
            if d.kind == .method {
                var extra = name
                extra["optimizer"] = [
                    "$ref": "#/$defs/optimizer", "description": "This stage's optimizer; defaults to the spec's.",
                ]
                variants.append(plugin(d, selector: "plugin", extra: extra, sectionFields: loop))
            } else {
                variants.append(plugin(d, selector: "plugin", extra: name))
            }
        }
        return ["anyOf": [["enum": .array(ids)], slot(variants)]]
    }

    private static var sweepSchema: ConfigValue {
        func pair(_ key: String, _ doc: String) -> ConfigValue {
            [
                "type": "object", "description": .string(doc), "additionalProperties": false,
                "required": [.string(key)],
                "properties": .object([
                    key: ["type": "array", "items": ["type": "number"], "minItems": 2, "maxItems": 2]
                ]),
            ]
        }
        let axis: ConfigValue = [
            "oneOf": [
                [
                    "type": "array", "minItems": 1,
                    "description": "Grid: every value, crossed with the other grid keys.",
                ],
                pair("uniform", "Uniform draws in [low, high]; whole numbers when the swept key is an integer."),
                pair(
                    "log_uniform",
                    "Draws uniform in log space in [low, high], low > 0; rounded when the swept key is an integer."),
                [
                    "type": "object", "additionalProperties": false, "required": ["choice"],
                    "description": "Uniform draws among the values.",
                    "properties": ["choice": ["type": "array", "minItems": 1]],
                ],
            ]
        ]
        return [
            "type": "object",
            "description": .string(
                "Keys (dotted paths such as optimizer.lr) mapped to grid lists or random draws; "
                    + "each point is a child run."),
            "properties": [
                "samples": ["type": "integer", "minimum": 1, "description": "Random draws per grid point."]
            ],
            "additionalProperties": axis,
        ]
    }

    /// A `oneOf` over plugin variants, or `false` (nothing is valid) when none are registered.
    private static func slot(_ variants: [ConfigValue]) -> ConfigValue {
        variants.isEmpty ? false : ["oneOf": .array(variants)]
    }

    private static func plugin(
        _ d: PluginDescriptor, selector: String, extra: ConfigObject = [:], sectionFields: [FieldDescription] = []
    ) -> ConfigValue {
        var properties: ConfigObject = [
            selector: ["const": .string(d.id), "description": .string("\(d.summary) (version \(d.version))")]
        ]
        var required: [String] = [selector]
        let section = objectProperties(sectionFields, prefix: "")
        for (k, v) in extra { properties[k] = v }
        for (k, v) in section.properties { properties[k] = v }
        required += section.required
        let config = objectProperties(d.fields, prefix: "")
        for (k, v) in config.properties { properties[k] = v }
        required += config.required
        return object(properties, required: required, description: "\(d.id): \(d.summary)")
    }

    private static func section<C: PluginConfig>(_ type: C.Type, description: String) -> ConfigValue {
        let (properties, required) = objectProperties(fields(type), prefix: "")
        return object(properties, required: required, description: description)
    }

    private static func fields<C: PluginConfig>(_ type: C.Type) -> [FieldDescription] {
        (try? C.fieldDescriptions()) ?? []
    }

    private static func adding(_ extra: ConfigObject, to schema: ConfigValue) -> ConfigValue {
        guard var o = schema.object, var properties = o["properties"]?.object else { return schema }
        for (k, v) in extra { properties[k] = v }
        o["properties"] = .object(properties)
        return .object(o)
    }

    private static func object(_ properties: ConfigObject, required: [String], description: String?) -> ConfigValue {
        var o: ConfigObject = ["type": "object"]
        if let description { o["description"] = .string(description) }
        o["properties"] = .object(properties)
        if !required.isEmpty { o["required"] = .array(required.map(ConfigValue.string)) }
        o["additionalProperties"] = false
        return .object(o)
    }

    /// Properties for the fields directly under `prefix`, nested mappings recursing.
    private static func objectProperties(
        _ fields: [FieldDescription], prefix: String
    ) -> (properties: ConfigObject, required: [String]) {
        var properties = ConfigObject()
        var required: [String] = []
        for field in fields {
            guard field.key.hasPrefix(prefix) else { continue }
            let name = String(field.key.dropFirst(prefix.count))
            guard !name.contains(".") else { continue }
            if field.type == .object {
                let nested = objectProperties(fields, prefix: field.key + ".")
                properties[name] = object(nested.properties, required: nested.required, description: field.doc)
            } else {
                properties[name] = property(field)
            }
            if field.isRequired { required.append(name) }
        }
        return (properties, required)
    }

    private static func property(_ field: FieldDescription) -> ConfigValue {
        var o = typeSchema(field.type, field: field)
        if field.isOptional, case .string(let t)? = o["type"] { o["type"] = [.string(t), "null"] }
        if field.isOptional, case .array(let values)? = o["enum"] { o["enum"] = .array(values + [.null]) }
        o["description"] = .string(field.doc)
        if !field.isRequired { o["default"] = field.defaultValue }
        return .object(o)
    }

    /// The type keywords for `type`; ranges and choices go on the value itself, or on a list's items.
    private static func typeSchema(_ type: FieldType, field: FieldDescription) -> ConfigObject {
        var o = ConfigObject()
        switch type {
        case .boolean: o["type"] = "boolean"
        case .integer: o["type"] = "integer"
        case .number: o["type"] = "number"
        case .string: o["type"] = "string"
        case .object: o["type"] = "object"
        case .any: break
        case .array(let element):
            o["type"] = "array"
            o["items"] = .object(typeSchema(element, field: field))
            return o
        }
        if let range = field.range, type == .integer || type == .number || type == .any {
            if let lower = range.lower { o[lower.isInclusive ? "minimum" : "exclusiveMinimum"] = number(lower.value) }
            if let upper = range.upper { o[upper.isInclusive ? "maximum" : "exclusiveMaximum"] = number(upper.value) }
        }
        if let choices = field.choices, type == .string || type == .any {
            o["enum"] = .array(choices.map(ConfigValue.string))
        }
        return o
    }

    private static func number(_ d: Double) -> ConfigValue {
        d.rounded() == d && abs(d) < 1e15 ? .int(Int(d)) : .double(d)
    }
}
