import HeraldCore
import HeraldJSON

/// Everything the pipeline decided for one event, in order: `herald explain`'s answer to "why did my
/// Alert (not) fire?".
///
/// The verdict is the real pipeline's (``EventPipeline/process(_:now:)`` on the same snapshot); the
/// steps come from the router's own matcher with its steps recorded, so they cannot disagree.
public struct Explanation: Sendable {
    public var decoded: DecodedEvent
    /// Metadata keys the clean-up removed (excluded groups, the internal token…).
    public var removedMetadata: [String]
    /// The rate-limit key in Flux's clear text, when the event reached the limiter.
    public var rateLimitKey: String?
    public var alerts: [AlertExplanation]
    public var result: PipelineResult

    /// Notifications whose plan sends something; a notifier may still skip one (`.skip`).
    public var notificationsSent: Int {
        result.jobs.filter { job in
            if case .skip = job.plan { return false }
            return true
        }.count
    }

    /// 0 when at least one notification would be sent, 1 when none.
    public var exitCode: Int32 { notificationsSent > 0 ? 0 : 1 }
}

/// Builds and prints ``Explanation``s.
public enum Explainer {
    /// Runs `decoded` through `pipeline` (the rate limiter remembers it, as in a replay) and explains it.
    public static func explain(_ decoded: DecodedEvent, pipeline: inout EventPipeline, now: Int64) -> Explanation {
        let snapshot = pipeline.snapshot
        let result = pipeline.process(decoded, now: now)
        var explanation = Explanation(decoded: decoded, removedMetadata: [], rateLimitKey: nil, alerts: [], result: result)
        guard case .event(let raw, _) = decoded else { return explanation }
        let cleaned = MetadataCleanup.clean(raw)
        explanation.removedMetadata = raw.metadata.keys.filter { cleaned.metadata[$0] == nil }.sorted()
        explanation.rateLimitKey = EventRateLimiter.keyText(for: cleaned)
        if result.disposition != .rateLimited {
            explanation.alerts = Router.explain(cleaned, table: snapshot.table, labels: snapshot.labels, options: pipeline.options)
        }
        return explanation
    }

    /// Explains line `number` of a JSON-lines file (or `-`); the lines before it go through the same
    /// pipeline first, so the rate limiter has seen what a replay of the file would have shown it.
    public static func explain(
        line number: Int, of path: String, pipeline: EventPipeline, filter: EventFilter
    ) async throws(InputError) -> Explanation {
        let reader = try LineReader(path: path)
        let found = Found()
        var pipeline = pipeline
        let origin = ContinuousClock.now
        do {
            try await reader.forEachLine { line in
                if line.tooLong {
                    guard line.number < number else {
                        throw InputError(description: "line \(line.number): longer than \(reader.maximumLineBytes) bytes")
                    }
                    return
                }
                let decoded: DecodedEvent
                do {
                    decoded = try EventDecoder.decode(try JSONParser.parse(line.bytes), filter: filter)
                } catch {
                    guard line.number < number else { throw InputError(description: "line \(line.number): not an event: \(error)") }
                    return
                }
                let now = origin.duration(to: .now).nanoseconds
                guard line.number == number else {
                    _ = pipeline.process(decoded, now: now)
                    return
                }
                found.explanation = explain(decoded, pipeline: &pipeline, now: now)
                throw Found.Stop()
            }
        } catch is Found.Stop {
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError(description: "\(error)")
        }
        guard let explanation = found.explanation else {
            throw InputError(description: "\(path == "-" ? "standard input" : path) has no line \(number)")
        }
        return explanation
    }

    /// Carries the explanation out of the line reader's closure, and stops it.
    private final class Found: @unchecked Sendable {
        // Written once, by the reader's closure, before the reader returns.
        var explanation: Explanation?
        struct Stop: Error {}
    }

    // MARK: text

    /// The explanation for a person: one decision per line, in the order the pipeline takes them.
    public static func text(_ explanation: Explanation, secrets display: SecretDisplay = .masked) -> String {
        var lines: [String] = []
        switch explanation.decoded {
        case .ignored(let reason):
            lines.append("trace filter: ignored: \(reason)")
            lines.append("verdict: no notification (the event never reaches the Alerts)")
            return lines.joined(separator: "\n") + "\n"
        case .event(let event, _):
            let object = event.involvedObject
            lines.append(
                "event: \(object.kind) \(object.namespace)/\(object.name), severity \(event.severity), reason \(event.reason)")
            lines.append("  message: \(JSONWriter.string(.string(event.message)))")
            lines.append("trace filter: passed")
        }
        lines.append(
            "metadata clean-up: "
                + (explanation.removedMetadata.isEmpty
                    ? "nothing removed" : "removed \(explanation.removedMetadata.joined(separator: ", "))"))
        let key = explanation.rateLimitKey ?? ""
        if explanation.result.disposition == .rateLimited {
            lines.append("rate limit: key \(JSONWriter.string(.string(key))): already seen in this window; dropped")
            lines.append("verdict: no notification")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("rate limit: key \(JSONWriter.string(.string(key))): first in its window; passes")
        lines.append("alerts: \(explanation.alerts.count)")
        for alert in explanation.alerts { lines += text(alert, result: explanation.result, secrets: display) }
        for warning in explanation.result.warnings { lines.append("warning: \(warning)") }
        let sent = explanation.notificationsSent
        lines.append(sent == 0 ? "verdict: no notification would be sent" : "verdict: \(sent) notification(s) would be sent")
        return lines.joined(separator: "\n") + "\n"
    }

    static func text(_ alert: AlertExplanation, result: PipelineResult, secrets display: SecretDisplay) -> [String] {
        var lines = ["  Alert \(alert.alert)"]
        guard alert.isCandidate else {
            lines.append("    not tested: no event source names this kind in this namespace")
            return lines
        }
        for step in alert.steps { lines.append("    " + describe(step)) }
        lines.append("    → " + describe(alert.match))
        guard let outcome = alert.outcome else { return lines }
        switch outcome {
        case .notify(let notification):
            lines.append("    provider \(notification.provider.key) (\(notification.provider.type.rawValue)): checks passed")
            if let id = notification.commitStatusID { lines.append("    commit status id: \(id)") }
        case .skipped(_, let skip):
            lines.append("    provider \(alert.provider): skipped: \(skip)")
        case .failed(_, let error):
            lines.append("    provider \(alert.provider): fails: \(error)")
        }
        for job in result.jobs where job.alert == alert.alert {
            switch job.plan {
            case .skip(let reason):
                lines.append("    notifier skips it: \(reason)")
            default:
                lines.append(
                    "    request: "
                        + JSONWriter.string(DryRunRecord.json(for: job, requests: job.plan.requests, secrets: display), escapeHTML: false))
            }
        }
        for failure in result.failures where failure.alert == alert.alert && failure.provider != nil && !isRouteFailure(alert) {
            lines.append("    fails: \(failure.message)")
        }
        return lines
    }

    private static func isRouteFailure(_ alert: AlertExplanation) -> Bool {
        if case .failed? = alert.outcome { return true }
        return false
    }

    static func describe(_ step: MatchStep) -> String {
        switch step {
        case .suspended(let suspended):
            return "suspended: \(suspended ? "yes" : "no")"
        case .source(let index, let source, let verdict):
            let name = "source \(index + 1) (\(source.kind)/\(source.name)\(source.namespace.isEmpty ? "" : " in \(source.namespace)"))"
            return "\(name): " + describe(verdict)
        case .inclusion(let pattern, let result):
            return "inclusion \(JSONWriter.string(.string(pattern))): " + describe(result)
        case .exclusion(let pattern, let result):
            return "exclusion \(JSONWriter.string(.string(pattern))): " + describe(result)
        }
    }

    static func describe(_ verdict: SourceVerdict) -> String {
        switch verdict {
        case .matched: "matched"
        case .otherNamespace(let wanted): "other namespace (selects \(wanted))"
        case .otherKind: "other kind"
        case .severity(let wanted): "severity filtered (the Alert wants \(wanted))"
        case .otherName: "other name"
        case .labelsUnknown: "matchLabels: the object's labels cannot be read"
        case .labelsDiffer: "matchLabels: labels differ"
        }
    }

    static func describe(_ result: PatternResult) -> String {
        switch result {
        case .matched: "matched"
        case .notMatched: "no match"
        case .invalid: "does not compile (an inclusion then never matches, an exclusion is ignored)"
        }
    }

    static func describe(_ match: AlertMatch?) -> String {
        switch match {
        case .matched?: "matched"
        case .suspended?: "not matched: the Alert is suspended"
        case .noSource?: "not matched: no event source selects the object"
        case .message?: "not matched: the message is filtered by inclusionList/exclusionList"
        case .sourceNotFound?: "not matched: matchLabels cannot read the object"
        case nil: "not tested"
        }
    }

    // MARK: JSON

    /// The explanation for machines (`--output json`): the same decisions, as values.
    public static func json(_ explanation: Explanation, secrets display: SecretDisplay = .masked) -> JSONValue {
        var object = JSONObject()
        switch explanation.decoded {
        case .ignored(let reason):
            object["ignored"] = .string(reason.description)
        case .event(let event, _):
            object["event"] = event.jsonValue
            object["metadataRemoved"] = .array(explanation.removedMetadata.map { .string($0) })
            object["rateLimit"] = [
                "key": .string(explanation.rateLimitKey ?? ""), "seen": .bool(explanation.result.disposition == .rateLimited),
            ]
            object["alerts"] = .array(explanation.alerts.map { json($0, result: explanation.result, secrets: display) })
            object["warnings"] = .array(explanation.result.warnings.map { .string($0.description) })
        }
        object["notifications"] = .integer(explanation.notificationsSent)
        object["verdict"] = explanation.notificationsSent > 0 ? "send" : "none"
        return .object(object)
    }

    static func json(_ alert: AlertExplanation, result: PipelineResult, secrets display: SecretDisplay) -> JSONValue {
        var object = JSONObject([
            ("alert", .string(alert.alert.description)), ("provider", .string(alert.provider.description)),
            ("tested", .bool(alert.isCandidate)),
        ])
        object["steps"] = .array(alert.steps.map { .string(describe($0)) })
        object["match"] = .string(describe(alert.match))
        switch alert.outcome {
        case .notify?:
            object["providerCheck"] = "passed"
        case .skipped(_, let skip)?:
            object["providerCheck"] = .string("skipped: \(skip)")
        case .failed(_, let error)?:
            object["providerCheck"] = .string("fails: \(error)")
        case nil:
            break
        }
        let jobs = result.jobs.filter { $0.alert == alert.alert }
        object["requests"] = .array(
            jobs.compactMap { job in
                if case .skip = job.plan { return nil }
                return DryRunRecord.json(for: job, requests: job.plan.requests, secrets: display)
            })
        object["failures"] = .array(result.failures.filter { $0.alert == alert.alert }.map { .string($0.message) })
        return .object(object)
    }
}
