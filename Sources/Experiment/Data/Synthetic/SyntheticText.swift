public import TensorEngine

/// Byte-level text for language models: the built-in prose, sentences from a small fact grammar, or both.
///
/// The grammar first draws a fixed world (each person's city, job, favourite colour and pet), then writes
/// sentences that state those facts in a few phrasings, mixed with random descriptive filler. Because the facts
/// repeat consistently, a model trained on it can be probed, edited or made to unlearn specific facts.
public struct SyntheticText: Sendable, Codable, Equatable {
    /// Where the text comes from.
    public enum Source: String, Sendable, Codable, Equatable {
        /// `BuiltinCorpus.text`, repeated `repeats` times.
        case builtin
        /// `sentences` sentences from the fact grammar.
        case grammar
        /// The built-in prose followed by the grammar's sentences.
        case mixed
    }

    /// Which text to produce.
    public var source: Source
    /// Sentences to generate for `.grammar` and `.mixed`.
    public var sentences: Int
    /// Copies of the built-in prose for `.builtin` and `.mixed`.
    public var repeats: Int
    /// Share of the bytes, at the end, kept for validation.
    public var validationFraction: Double

    /// A configuration; the default is 2000 grammar sentences with 10 % held out.
    public init(source: Source = .grammar, sentences: Int = 2000, repeats: Int = 1, validationFraction: Double = 0.1) {
        self.source = source
        self.sentences = sentences
        self.repeats = repeats
        self.validationFraction = validationFraction
    }

    /// Builds the text from `rng` (the built-in prose alone uses no randomness).
    public func make(using rng: inout RandomGenerator) -> TextDataset {
        precondition(sentences >= 0 && repeats >= 0 && validationFraction >= 0 && validationFraction < 1,
                     "SyntheticText: invalid configuration \(self)")
        var text = ""
        if source != .grammar { text += String(repeating: BuiltinCorpus.text, count: repeats) }
        if source != .builtin { text += FactGrammar(using: &rng).sentences(sentences, using: &rng) }
        return TextDataset(name: "text-\(source.rawValue)", bytes: Array(text.utf8),
                           validationFraction: validationFraction)
    }
}

/// A tiny world of people and their attributes, and the sentences that describe it.
struct FactGrammar {
    static let people = ["Ada", "Bram", "Cora", "Dov", "Elin", "Finn", "Gita", "Hugo", "Iris", "Jory", "Kira",
                         "Lev", "Mira", "Nils", "Oona", "Pavel", "Quinn", "Rosa", "Sami", "Tove", "Ugo", "Vera",
                         "Wren", "Yara"]
    static let cities = ["Ashford", "Brightwater", "Coldharbour", "Dunmere", "Eastwick", "Fallow", "Greyholm",
                         "Harrowgate", "Ironbridge", "Juniper", "Kettleby", "Larkspur"]
    static let jobs = ["potter", "miller", "baker", "weaver", "smith", "carpenter", "fisher", "mason", "teacher",
                       "healer", "shepherd", "brewer"]
    static let colours = ["red", "blue", "green", "yellow", "purple", "orange", "grey", "white"]
    static let animals = ["cat", "dog", "goat", "owl", "horse", "hen", "fox", "crow"]
    static let adjectives = ["small", "old", "quiet", "bright", "heavy", "quick", "muddy", "gentle"]
    static let verbs = ["watches", "carries", "finds", "follows", "paints", "mends", "hides", "counts"]
    static let things = ["basket", "lantern", "jar", "bridge", "wheel", "boat", "gate", "bell"]
    static let places = ["river", "mill", "market", "kiln", "orchard", "harbour", "well", "hill"]

    var city: [Int], job: [Int], colour: [Int], pet: [Int]

    /// Draws every person's attributes.
    init(using rng: inout RandomGenerator) {
        let n = Self.people.count
        city = (0..<n).map { _ in rng.nextInt(in: 0..<Self.cities.count) }
        job = (0..<n).map { _ in rng.nextInt(in: 0..<Self.jobs.count) }
        colour = (0..<n).map { _ in rng.nextInt(in: 0..<Self.colours.count) }
        pet = (0..<n).map { _ in rng.nextInt(in: 0..<Self.animals.count) }
    }

    /// `count` sentences separated by spaces, with a line break after every fifth.
    func sentences(_ count: Int, using rng: inout RandomGenerator) -> String {
        var out = ""
        for k in 0..<count {
            out += sentence(using: &rng)
            out += k % 5 == 4 || k == count - 1 ? "\n" : " "
        }
        return out
    }

    func sentence(using rng: inout RandomGenerator) -> String {
        func pick(_ words: [String]) -> String { words[rng.nextInt(in: 0..<words.count)] }
        let p = rng.nextInt(in: 0..<Self.people.count)
        let name = Self.people[p], job = Self.jobs[job[p]]
        let article = "aeiou".contains(job.first!) ? "an" : "a"
        switch rng.nextInt(in: 0..<8) {
        case 0: return "\(name) lives in \(Self.cities[city[p]])."
        case 1: return "\(name) works as \(article) \(job)."
        case 2: return "The favourite colour of \(name) is \(Self.colours[colour[p]])."
        case 3: return "\(name) keeps a \(Self.animals[pet[p]])."
        case 4: return "Where does \(name) live? \(name) lives in \(Self.cities[city[p]])."
        case 5: return "In \(Self.cities[city[p]]), \(name) is known as the \(job)."
        default:
            return "The \(pick(Self.adjectives)) \(pick(Self.animals)) \(pick(Self.verbs)) the "
                + "\(pick(Self.things)) near the \(pick(Self.places))."
        }
    }
}
