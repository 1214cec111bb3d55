import HeraldCore
import HeraldJSON
import Testing

/// The CEL subset of `spec.commitStatusExpr`: Flux's documented and tested expressions, and every kind of refusal.
@Suite("commitStatusExpr: the CEL subset")
struct CommitStatusExpressionTests {
    static let uid = "0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a"

    static let event: JSONValue = [
        "involvedObject": ["kind": "Kustomization", "namespace": "flux-system", "name": "gitops-system"],
        "severity": "info", "message": "applied", "reason": "ReconciliationSucceeded",
        "metadata": ["environment": "production", "app.kubernetes.io/name": "podinfo", "foo": "Bar"],
        "reportingController": "kustomize-controller",
    ]
    static let provider: JSONValue = ["kind": "Provider", "metadata": ["name": "github", "namespace": "flux-system", "uid": .string(uid)]]
    static let alert: JSONValue = ["kind": "Alert", "metadata": ["name": "test-alert", "namespace": "flux-system", "uid": "a1"]]

    func evaluate(_ source: String) throws -> String {
        try CommitStatusExpression(source).evaluate(event: Self.event, alert: Self.alert, provider: Self.provider)
    }

    struct Example: Sendable, CustomTestStringConvertible {
        let source: String
        let result: String
        var testDescription: String { source }
    }

    /// The expressions of Flux's tests and docs (reference §4.7), and what users write around them.
    static let examples: [Example] = [
        Example(
            source:
                "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' + provider.metadata.uid",
            result: "Kustomization/gitops-system/production/\(uid)"),
        Example(
            source:
                "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' + provider.metadata.uid.split('-').first().value()",
            result: "Kustomization/gitops-system/production/0c9c2e41"),
        Example(
            source:
                "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' + provider.metadata.uid + '/' + alert.metadata.name).lowerAscii()",
            result: "kustomization/gitops-system/production/\(uid)/test-alert"),
        Example(
            source:
                "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.foo + '/' + provider.metadata.uid.split('-').first().value()).lowerAscii()",
            result: "kustomization/gitops-system/bar/0c9c2e41"),
        Example(source: "provider.metadata.uid.split('-')[1].upperAscii()", result: "D2F9"),
        Example(source: "event.metadata['app.kubernetes.io/name']", result: "podinfo"),
        Example(source: #"event.severity == "error" ? 'flux/failing' : 'flux/' + event.involvedObject.name"#, result: "flux/gitops-system"),
        Example(source: "has(event.metadata.environment) ? event.metadata.environment : 'none'", result: "production"),
        Example(source: "has(event.metadata.region) ? event.metadata.region : 'none'", result: "none"),
        Example(source: "'flux-' + string(size(event.metadata))", result: "flux-3"),
        Example(
            source: "event.involvedObject.name.startsWith('gitops') && !(event.reason != 'ReconciliationSucceeded') ? 'a' : 'b'",
            result: "a"),
        Example(source: "event.metadata.environment.replace('prod', 'live').trim()", result: "liveuction"),
        Example(source: "'literal only'", result: "literal only"),
    ]

    @Test("Flux's examples and common forms evaluate as CEL does", arguments: examples)
    func evaluatesLikeCEL(_ example: Example) throws {
        #expect(try evaluate(example.source) == example.result)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let source: String
        let message: String
        var testDescription: String { source }
    }

    static let refusals: [Refusal] = [
        Refusal(
            source: "event.involvedObject.kind == 'Kustomization'",
            message: "failed to compile expression: CEL expression output type mismatch: expected string, got bool"),
        Refusal(source: "size(event.metadata)", message: "output type mismatch: expected string, got int"),
        Refusal(source: "event.metadata.map(k, k)", message: "unsupported CEL construct: the map() macro"),
        Refusal(source: "event.metadata.all(k, k != '')", message: "unsupported CEL construct: the all() macro"),
        Refusal(source: "exists(event.metadata)", message: "unsupported CEL construct: the exists() macro"),
        Refusal(source: "'a' + 1 - 1", message: "unsupported CEL construct: the arithmetic operator '-'"),
        Refusal(source: "{'a': 'b'}['a']", message: "unsupported CEL construct: map literals"),
        Refusal(source: "['a'][0]", message: "unsupported CEL construct: list literals"),
        Refusal(source: "'x' + string(1.5)", message: "unsupported CEL construct: floating-point numbers"),
        Refusal(source: "r'raw'", message: "unsupported CEL construct: raw string literals"),
        Refusal(source: "'a' in event.metadata ? 'x' : 'y'", message: "unsupported CEL construct: the 'in' operator"),
        Refusal(source: "event.message.matches('x') ? 'a' : 'b'", message: "unsupported CEL construct: the method matches()"),
        Refusal(source: "timestamp('2024-01-01T00:00:00Z')", message: "unsupported CEL construct: the function timestamp()"),
        Refusal(source: "notification.metadata.name", message: "undeclared reference to 'notification'"),
        Refusal(source: "event.involvedObject.name +", message: "unexpected end of expression"),
        Refusal(source: "'unterminated", message: "unterminated string literal"),
        Refusal(source: "(event.involvedObject.name", message: "expected ')'"),
        Refusal(source: "'a' + 1", message: "found no matching overload for '_+_' applied to '(string, int)'"),
    ]

    @Test("constructs outside the subset, syntax errors and non-string results are refused at load time", arguments: refusals)
    func refused(_ refusal: Refusal) {
        let error = #expect(throws: ExpressionError.self) { try CommitStatusExpression(refusal.source) }
        #expect(error?.description.contains(refusal.message) == true, "\(error?.description ?? "no error")")
    }

    @Test("runtime errors: a missing key (Flux's test), a non-string field, an out-of-range index")
    func runtimeErrors() throws {
        #expect(throws: ExpressionError.noSuchKey("notfound")) { try evaluate("event.metadata.notfound") }
        #expect(throws: ExpressionError.notAString("event.involvedObject")) { try evaluate("event.involvedObject") }
        #expect(throws: ExpressionError.self) { try evaluate("provider.metadata.uid.split('-')[9]") }
        #expect(throws: ExpressionError.self) {
            try evaluate("event.metadata.environment.split('x').first().value() + event.metadata.foo[0]")
        }
    }

    @Test("a 1 MiB expression is refused by length before it is parsed, and the error does not repeat it")
    func hugeExpression() {
        let source = "'" + String(repeating: "a", count: 1 << 20) + "'"
        let error = #expect(throws: ExpressionError.self) { try CommitStatusExpression(source) }
        #expect(error == .tooLong(source.utf8.count))
        #expect((error?.description.count ?? 0) < 200)
    }

    @Test("deeply nested parentheses and long chains are refused without exhausting the stack")
    func deepNesting() {
        let parentheses = String(repeating: "(", count: 2000) + "'a'" + String(repeating: ")", count: 2000)
        #expect(throws: ExpressionError.tooDeep) { try CommitStatusExpression(parentheses) }
        let negations = String(repeating: "!", count: 2000) + "true ? 'a' : 'b'"
        #expect(throws: ExpressionError.tooDeep) { try CommitStatusExpression(negations) }
        let ternaries = String(repeating: "true ? 'a' : ", count: 300) + "'b'"
        #expect(throws: ExpressionError.self) { try CommitStatusExpression(ternaries) }
        let nested = String(repeating: "(", count: 20) + "'a'" + String(repeating: ")", count: 20)
        #expect(throws: Never.self) { try CommitStatusExpression(nested) }
    }

    @Test("arbitrary bytes never crash the parser")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("event.metadata()[]'\"+-?:!=<>&|,0123456789abc \\\n{}".unicodeScalars)
        var refused = 0
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<60, using: &generator)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" }))
            do {
                let expression = try CommitStatusExpression(text)
                _ = try? expression.evaluate(event: Self.event, alert: Self.alert, provider: Self.provider)
            } catch {
                refused += 1
                // A refusal is a bounded message, never the input echoed at length.
                #expect(error.description.count < 300, "\(error)")
            }
        }
        #expect(refused > 0)
    }
}
