import PluginAPI
import Testing

@testable import Spec

/// Plain scalars follow the YAML 1.2 core schema, not Yams' YAML 1.1 resolver.
@Suite struct ScalarTypingTests {
    @Test(arguments: [
        ("3e-3", ConfigValue.double(3e-3)), ("1e4", .double(1e4)), ("-.5", .double(-0.5)), ("2.", .double(2)),
        ("1_000", .int(1000)), ("+7", .int(7)), ("-12", .int(-12)), ("0x1F", .int(31)),
        (".inf", .double(.infinity)), ("~", .null), ("", .null), ("True", .bool(true)), ("false", .bool(false)),
        ("yes", .string("yes")), ("on", .string("on")), ("1.2.3", .string("1.2.3")), ("1e", .string("1e")),
        ("-", .string("-")), ("0.5x", .string("0.5x")), ("1:30", .string("1:30")),
        ("data.spirals", .string("data.spirals")),
    ])
    func typesPlainScalars(text: String, expected: ConfigValue) {
        #expect(typedScalar(text) == expected)
    }
}
