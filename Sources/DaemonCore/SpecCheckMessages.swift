public import Foundation

/// One question to the spec checker (`kiln check-specs`, see `SpecCheckerValidator`): one JSON line on its
/// standard input.
public struct SpecCheckRequest: Codable, Sendable, Equatable {
    /// The spec's absolute path (relative paths inside it resolve against its folder).
    public var spec: String
    /// The exact bytes the daemon hashed into the spec's identity (base64 in JSON).
    public var contents: Data
    /// The data roots in force for this spec.
    public var dataRoots: [String]

    public init(spec: String, contents: Data, dataRoots: [String]) {
        self.spec = spec
        self.contents = contents
        self.dataRoots = dataRoots
    }

    private enum CodingKeys: String, CodingKey {
        case spec, contents
        case dataRoots = "data_roots"
    }
}

/// The checker's answer: one JSON line on its standard output, `{"priority": 0}` for a valid spec or
/// `{"problems": ["name.yaml:3:5: ..."]}` for an invalid one.
public struct SpecCheckResponse: Codable, Sendable, Equatable {
    public var priority: Int?
    public var problems: [String]?

    /// The answer for `verdict`.
    public init(_ verdict: SpecVerdict) {
        switch verdict {
        case .valid(let priority): (self.priority, self.problems) = (priority, nil)
        case .invalid(let problems): (self.priority, self.problems) = (nil, problems)
        }
    }

    /// The verdict it carries (an answer with neither field counts as valid with priority 0).
    public var verdict: SpecVerdict {
        if let problems { return .invalid(problems: problems) }
        return .valid(priority: priority ?? 0)
    }
}
