import HeraldCore
import HeraldJSON
import Testing

@Suite("EventDecoder (reference §1.1, §1.5)")
struct EventDecoderTests {
    let filter = EventFilter()

    /// The core/v1 Event of the §1.5 example.
    static let coreEventText = """
        {
          "apiVersion": "v1", "kind": "Event",
          "metadata": {"name": "webapp.17e2a9c3d4b5f601", "namespace": "apps", "uid": "e-uid-1", "resourceVersion": "991",
            "annotations": {"kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
                            "kustomize.toolkit.fluxcd.io/commit_status": "update",
                            "event.toolkit.fluxcd.io/env": "prod"}},
          "involvedObject": {"kind": "Kustomization", "namespace": "apps", "name": "webapp",
            "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632", "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "resourceVersion": "81234"},
          "type": "Normal", "reason": "ReconciliationSucceeded",
          "message": "Reconciliation finished in 1.2s, next run in 10m0s",
          "source": {"component": "kustomize-controller"}, "reportingComponent": "kustomize-controller", "reportingInstance": "",
          "firstTimestamp": "2026-08-01T10:00:00Z", "lastTimestamp": "2026-08-01T10:00:00Z", "count": 1
        }
        """

    /// The Flux event of the §1.5 example without `reportingInstance`, which a core/v1 Event does not carry.
    static let fluxEventBytes =
        #"{"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"webapp","uid":"7d0cdc51-ddcf-4743-b223-83ca5c699632","apiVersion":"kustomize.toolkit.fluxcd.io/v1","resourceVersion":"81234"},"severity":"info","timestamp":"2026-08-01T10:00:00Z","message":"Reconciliation finished in 1.2s, next run in 10m0s","reason":"ReconciliationSucceeded","metadata":{"event.toolkit.fluxcd.io/env":"prod","kustomize.toolkit.fluxcd.io/commit_status":"update","kustomize.toolkit.fluxcd.io/revision":"main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1"},"reportingController":"kustomize-controller"}"#

    func decode(_ text: String, filter: EventFilter = EventFilter()) throws -> DecodedEvent {
        try EventDecoder.decode(try JSONParser.parse(text), filter: filter)
    }

    func decodedEvent(_ text: String) throws -> Event {
        guard case .event(let event, _) = try decode(text) else {
            Issue.record("expected an event from \(text)")
            throw DecodeFailure()
        }
        return event
    }

    struct DecodeFailure: Error {}

    /// A core/v1 Event JSON with the given top-level fields replaced or added.
    func coreEvent(_ changes: [String: JSONValue], removing: [String] = []) throws -> String {
        var object = try #require(try JSONParser.parse(Self.coreEventText).objectValue)
        for key in removing { object[key] = nil }
        for (key, value) in changes { object[key] = value }
        return JSONWriter.string(.object(object))
    }

    // MARK: shapes

    @Test("§1.5 example: the core/v1 Event rebuilds the Flux event byte for byte (minus reportingInstance)")
    func coreEventExamplePair() throws {
        let event = try decodedEvent(Self.coreEventText)
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == Self.fluxEventBytes)
    }

    @Test("§1.1 a Flux event decodes field for field and re-encodes to the same bytes")
    func fluxEventShape() throws {
        let text =
            #"{"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"webapp","uid":"7d0c","apiVersion":"kustomize.toolkit.fluxcd.io/v1","resourceVersion":"81234"},"severity":"info","timestamp":"2026-08-01T10:00:00Z","message":"Reconciliation finished in 1.2s, next run in 10m0s","reason":"ReconciliationSucceeded","metadata":{"kustomize.toolkit.fluxcd.io/revision":"main@sha1:731f"},"reportingController":"kustomize-controller","reportingInstance":"kustomize-controller-7c7b47f5f-8bhrp"}"#
        let decoded = try decode(text)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(origin == .flux)
        #expect(event.reportingInstance == "kustomize-controller-7c7b47f5f-8bhrp")
        #expect(event.metadata == ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f"])
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == text)
    }

    @Test("§1.1 unknown fields of a Flux event are ignored, as Go's decoder does")
    func fluxUnknownFieldsIgnored() throws {
        let event = try decodedEvent(
            #"{"involvedObject":{"kind":"K","namespace":"ns","name":"n","extra":1},"severity":"info","extra":[1]}"#)
        #expect(event.involvedObject == ObjectReference(kind: "K", namespace: "ns", name: "n"))
    }

    @Test("§1.1 a Flux event with a null or Go-zero timestamp keeps a null timestamp")
    func fluxZeroTimestamp() throws {
        let zero = try decodedEvent(#"{"involvedObject":{"kind":"K","namespace":"ns","name":"n"},"timestamp":"0001-01-01T00:00:00Z"}"#)
        #expect(zero.timestamp == nil)
        #expect(JSONWriter.string(zero.jsonValue).contains(#""timestamp":null"#))
        let null = try decodedEvent(#"{"involvedObject":{"kind":"K","namespace":"ns","name":"n"},"timestamp":null}"#)
        #expect(null.timestamp == nil)
    }

    @Test("watch event ADDED and MODIFIED carry the core/v1 Event and its occurrence count", arguments: [WatchEventType.added, .modified])
    func watchEventDelivered(_ type: WatchEventType) throws {
        var object = try #require(try JSONParser.parse(Self.coreEventText).objectValue)
        object["count"] = 3
        let watch: JSONValue = ["type": .string(type.rawValue), "object": .object(object)]
        let decoded = try EventDecoder.decode(watch, filter: filter)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == Self.fluxEventBytes)
        #expect(origin == .kubernetes(uid: "e-uid-1", count: 3, resourceVersion: "991", watchType: type))
    }

    @Test("watch events other than ADDED/MODIFIED are ignored", arguments: [WatchEventType.deleted, .bookmark, .error])
    func watchEventIgnored(_ type: WatchEventType) throws {
        let object = try JSONParser.parse(Self.coreEventText)
        let decoded = try EventDecoder.decode(["type": .string(type.rawValue), "object": object], filter: filter)
        #expect(decoded == .ignored(.watchType(type)))
    }

    @Test("a watch line with an unknown type is an error that names the type, not an event")
    func watchEventUnknownType() throws {
        let object = try JSONParser.parse(Self.coreEventText)
        #expect(throws: EventDecodingError("type: unknown watch event type UPSERTED")) {
            try EventDecoder.decode(["type": "UPSERTED", "object": object], filter: filter)
        }
    }

    @Test("a core/v1 Event outside a watch has no watch type in its origin")
    func coreEventOrigin() throws {
        let decoded = try decode(Self.coreEventText)
        guard case .event(_, let origin) = decoded else {
            Issue.record("expected an event")
            return
        }
        #expect(origin == .kubernetes(uid: "e-uid-1", count: 1, resourceVersion: "991", watchType: nil))
    }

    // MARK: decoding by context (issue 9: list items carry no kind)

    /// A core/v1 Event as an item of a real list response: no `kind`/`apiVersion`, `managedFields` with
    /// nested `f:` maps in `metadata`, and Go's zero values (`eventTime: null`, `reportingInstance: ""`).
    static let listItemText = """
        {
          "metadata": {"name": "webapp.17e2a9c3d4b5f601", "namespace": "apps", "uid": "e-uid-1", "resourceVersion": "991",
            "creationTimestamp": "2026-08-01T10:00:00Z",
            "annotations": {"kustomize.toolkit.fluxcd.io/revision": "main@sha1:731f7eaddfb6af01cb2173e18f0f75b0ba780ef1",
                            "kustomize.toolkit.fluxcd.io/commit_status": "update",
                            "event.toolkit.fluxcd.io/env": "prod"},
            "managedFields": [{"manager": "kustomize-controller", "operation": "Update", "apiVersion": "v1",
              "time": "2026-08-01T10:00:00Z", "fieldsType": "FieldsV1",
              "fieldsV1": {"f:count": {}, "f:metadata": {"f:annotations": {".": {}, "f:event.toolkit.fluxcd.io/env": {}}},
                           "f:source": {"f:component": {}}}}]},
          "involvedObject": {"kind": "Kustomization", "namespace": "apps", "name": "webapp",
            "uid": "7d0cdc51-ddcf-4743-b223-83ca5c699632", "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "resourceVersion": "81234"},
          "reason": "ReconciliationSucceeded", "message": "Reconciliation finished in 1.2s, next run in 10m0s",
          "source": {"component": "kustomize-controller"},
          "firstTimestamp": "2026-08-01T10:00:00Z", "lastTimestamp": "2026-08-01T10:00:00Z", "count": 1,
          "type": "Normal", "eventTime": null, "reportingComponent": "kustomize-controller", "reportingInstance": ""
        }
        """

    @Test("a list item without kind, with managedFields and eventTime null, decodes by context as a core/v1 Event")
    func listItemByContext() throws {
        let decoded = try EventDecoder.decodeKubernetesEvent(
            try JSONParser.parse(Self.listItemText), api: .coreV1, watchType: nil, filter: filter)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == Self.fluxEventBytes)
        #expect(origin == .kubernetes(uid: "e-uid-1", count: 1, resourceVersion: "991", watchType: nil))
    }

    @Test("decoding by context ignores kind: even a wrong or missing kind is read as the resource's API")
    func contextWinsOverKind() throws {
        var object = try #require(try JSONParser.parse(Self.listItemText).objectValue)
        object["kind"] = "Something"
        let decoded = try EventDecoder.decodeKubernetesEvent(.object(object), api: .coreV1, watchType: .added, filter: filter)
        guard case .event(_, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(origin == .kubernetes(uid: "e-uid-1", count: 1, resourceVersion: "991", watchType: .added))
    }

    @Test("an events.k8s.io/v1 list item decodes by context: regarding, note, series")
    func eventsV1ListItemByContext() throws {
        let text = """
            {"metadata": {"name": "e", "namespace": "apps", "uid": "u2", "resourceVersion": "7",
              "managedFields": [{"manager": "m", "fieldsV1": {"f:note": {}}}]},
             "eventTime": "2026-12-05T05:44:24.123456Z", "regarding": {"kind": "HelmRelease", "namespace": "apps", "name": "podinfo"},
             "note": "upgraded", "reason": "UpgradeSucceeded", "type": "Normal", "reportingController": "helm-controller",
             "series": {"count": 4, "lastObservedTime": "2026-12-05T06:00:00.000001Z"}}
            """
        let decoded = try EventDecoder.decodeKubernetesEvent(try JSONParser.parse(text), api: .eventsV1, watchType: nil, filter: filter)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(event.message == "upgraded")
        #expect(event.involvedObject.name == "podinfo")
        #expect(event.timestamp?.rfc3339 == "2026-12-05T06:00:00Z")
        #expect(origin == .kubernetes(uid: "u2", count: 4, resourceVersion: "7", watchType: nil))
    }

    @Test("MicroTime eventTime with null first and last timestamps (the new recorder) is the event's time")
    func microTimeWithNullTimestamps() throws {
        let text = try coreEvent([
            "lastTimestamp": .null, "firstTimestamp": .null, "eventTime": "2026-12-05T05:44:24.123456Z", "source": .object(JSONObject()),
        ])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-12-05T05:44:24Z")
    }

    @Test("replay's sniffing reads a kind-less Kubernetes Event as one, and a Flux event as a Flux event")
    func sniffingWithoutKind() throws {
        guard case .event(_, let origin) = try decode(Self.listItemText) else {
            Issue.record("expected an event")
            return
        }
        #expect(origin == .kubernetes(uid: "e-uid-1", count: 1, resourceVersion: "991", watchType: nil))
        guard case .event(_, let fluxOrigin) = try decode(Self.fluxEventBytes) else {
            Issue.record("expected a Flux event")
            return
        }
        #expect(fluxOrigin == .flux)
    }

    @Test("replay's sniffing reads a kind-less events.k8s.io/v1 item (no apiVersion either) by its regarding field")
    func sniffingEventsV1WithoutTypeMeta() throws {
        let text = """
            {"metadata": {"name": "e", "namespace": "apps", "uid": "u2"}, "eventTime": "2026-12-05T05:44:24.123456Z",
             "regarding": {"kind": "HelmRelease", "namespace": "apps", "name": "podinfo"}, "note": "upgraded",
             "reason": "UpgradeSucceeded", "type": "Normal", "reportingController": "helm-controller"}
            """
        let event = try decodedEvent(text)
        #expect(event.involvedObject.name == "podinfo")
        #expect(event.message == "upgraded")
        #expect(event.timestamp?.rfc3339 == "2026-12-05T05:44:24Z")
    }

    @Test("an undecodable Event names the field at fault")
    func contextErrorNamesTheField() throws {
        var object = try #require(try JSONParser.parse(Self.listItemText).objectValue)
        object["involvedObject"] = "webapp"
        #expect(throws: EventDecodingError("involvedObject: expected an object, got string")) {
            try EventDecoder.decodeKubernetesEvent(.object(object), api: .coreV1, watchType: nil, filter: filter)
        }
    }

    @Test("events.k8s.io/v1 Event: regarding, note, reportingController, series.lastObservedTime")
    func eventsV1Shape() throws {
        let text = """
            {"apiVersion":"events.k8s.io/v1","kind":"Event",
             "metadata":{"name":"webapp.1","namespace":"apps","uid":"u2","resourceVersion":"5",
                         "annotations":{"kustomize.toolkit.fluxcd.io/revision":"main@sha1:abc"}},
             "regarding":{"kind":"Kustomization","namespace":"apps","name":"webapp","apiVersion":"kustomize.toolkit.fluxcd.io/v1"},
             "type":"Warning","reason":"HealthCheckFailed","note":"health check failed after 30s",
             "reportingController":"kustomize-controller","reportingInstance":"kc-1",
             "eventTime":"2026-08-01T09:00:00.000001Z",
             "series":{"count":4,"lastObservedTime":"2026-08-01T09:30:00.5Z"}}
            """
        let decoded = try decode(text)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(
            event.involvedObject
                == ObjectReference(kind: "Kustomization", namespace: "apps", name: "webapp", apiVersion: "kustomize.toolkit.fluxcd.io/v1"))
        #expect(event.severity == "error")
        #expect(event.message == "health check failed after 30s")
        #expect(event.reason == "HealthCheckFailed")
        #expect(event.reportingController == "kustomize-controller")
        #expect(event.reportingInstance == "kc-1")
        #expect(event.timestamp?.rfc3339 == "2026-08-01T09:30:00Z")
        #expect(event.metadata == ["kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc"])
        #expect(origin == .kubernetes(uid: "u2", count: 4, resourceVersion: "5", watchType: nil))
    }

    @Test("events.k8s.io/v1 Event without series falls back to deprecatedSource, deprecatedLastTimestamp and deprecatedCount")
    func eventsV1Deprecated() throws {
        let text = """
            {"apiVersion":"events.k8s.io/v1","kind":"Event","metadata":{"name":"x","namespace":"apps"},
             "regarding":{"kind":"HelmRelease","namespace":"apps","name":"podinfo"},
             "type":"Normal","reason":"UpgradeSucceeded","note":"upgraded",
             "deprecatedSource":{"component":"helm-controller"},
             "deprecatedLastTimestamp":"2026-08-01T08:00:00Z","deprecatedCount":2}
            """
        let decoded = try decode(text)
        guard case .event(let event, let origin) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(event.reportingController == "helm-controller")
        #expect(event.timestamp?.rfc3339 == "2026-08-01T08:00:00Z")
        #expect(event.severity == "info")
        #expect(origin == .kubernetes(uid: "", count: 2, resourceVersion: "", watchType: nil))
    }

    // MARK: mapping rules

    @Test(
        "§1.5 severity: Warning → error, any other type → info",
        arguments: [("Warning", "error"), ("Normal", "info"), ("", "info"), ("Custom", "info")])
    func severityMapping(type: String, severity: String) throws {
        let event = try decodedEvent(try coreEvent(["type": .string(type)]))
        #expect(event.severity == severity)
    }

    @Test("§1.5 timestamp: lastTimestamp first")
    func timestampLast() throws {
        let text = try coreEvent([
            "lastTimestamp": "2026-08-01T10:00:03Z", "eventTime": "2026-08-01T10:00:02.000000Z",
            "firstTimestamp": "2026-08-01T10:00:01Z",
        ])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-08-01T10:00:03Z")
    }

    @Test("§1.5 timestamp: eventTime when lastTimestamp is null, truncated to seconds")
    func timestampEventTime() throws {
        let text = try coreEvent([
            "lastTimestamp": nil, "eventTime": "2026-08-01T10:00:02.987654Z", "firstTimestamp": "2026-08-01T10:00:01Z",
        ])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-08-01T10:00:02Z")
    }

    @Test("§1.5 timestamp: firstTimestamp when lastTimestamp and eventTime are absent")
    func timestampFirst() throws {
        let text = try coreEvent(["firstTimestamp": "2026-08-01T10:00:01Z"], removing: ["lastTimestamp", "eventTime"])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-08-01T10:00:01Z")
    }

    @Test("§1.5 timestamp: metadata.creationTimestamp last")
    func timestampCreation() throws {
        let text = try coreEvent(
            ["metadata": ["name": "x", "namespace": "apps", "creationTimestamp": "2026-08-01T09:59:59Z"]],
            removing: ["lastTimestamp", "firstTimestamp"])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-08-01T09:59:59Z")
    }

    @Test("§1.1/§1.5 timestamp: a Go-zero time counts as absent and falls through to the next field")
    func timestampGoZeroFallsThrough() throws {
        let text = try coreEvent(["lastTimestamp": "0001-01-01T00:00:00Z", "firstTimestamp": "2026-08-01T10:00:01Z"])
        #expect(try decodedEvent(text).timestamp?.rfc3339 == "2026-08-01T10:00:01Z")
    }

    @Test("§1.5 timestamp: none of the four gives a null timestamp")
    func timestampNone() throws {
        let text = try coreEvent([:], removing: ["lastTimestamp", "firstTimestamp"])
        #expect(try decodedEvent(text).timestamp == nil)
    }

    @Test("§1.5 metadata ← metadata.annotations, foreign annotations included (cleanup removes them later)")
    func annotationsToMetadata() throws {
        let text = try coreEvent(["metadata": ["annotations": ["a.example.com/x": "1", "event.toolkit.fluxcd.io/env": "prod"]]])
        #expect(try decodedEvent(text).metadata == ["a.example.com/x": "1", "event.toolkit.fluxcd.io/env": "prod"])
    }

    @Test("§1.5 reportingController ← reportingComponent, else source.component; reportingInstance ← source.host")
    func reportingFields() throws {
        let fromSource = try decodedEvent(
            try coreEvent(["reportingComponent": "", "source": ["component": "helm-controller", "host": "node-1"]]))
        #expect(fromSource.reportingController == "helm-controller")
        #expect(fromSource.reportingInstance == "node-1")
        let fromReporting = try decodedEvent(try coreEvent(["reportingComponent": "source-controller", "source": ["component": "other"]]))
        #expect(fromReporting.reportingController == "source-controller")
    }

    @Test("§1.5 events whose involvedObject.namespace is empty are ignored (cluster-scoped)")
    func emptyNamespaceDropped() throws {
        let core = try coreEvent(["involvedObject": ["kind": "Kustomization", "name": "webapp"]])
        #expect(try decode(core) == .ignored(.clusterScoped))
        let flux = #"{"involvedObject":{"kind":"Kustomization","name":"webapp"},"severity":"info"}"#
        #expect(try decode(flux) == .ignored(.clusterScoped))
    }

    @Test("§1.5 notification-controller's own events are ignored, by source.component or reportingComponent")
    func notificationControllerIgnored() throws {
        let bySource = try coreEvent(["reportingComponent": nil, "source": ["component": "notification-controller"]])
        #expect(try decode(bySource) == .ignored(.ignoredComponent("notification-controller")))
        let byReporting = try coreEvent(["reportingComponent": "notification-controller"])
        #expect(try decode(byReporting) == .ignored(.ignoredComponent("notification-controller")))
    }

    static let traceReasons = EventFilter.defaultTraceRules.filter { $0.messagePrefix == nil }.map(\.reason)

    @Test("§1.5 trace deny-list: a Normal event with a listed reason is ignored", arguments: traceReasons)
    func traceNormalIgnored(_ reason: String) throws {
        let text = try coreEvent(["type": "Normal", "reason": .string(reason), "message": "anything"])
        #expect(try decode(text) == .ignored(.trace(TraceRule(reason: reason))))
    }

    @Test("§1.5 trace deny-list applies to Normal events only: a Warning with a listed reason passes", arguments: traceReasons)
    func traceWarningPasses(_ reason: String) throws {
        let text = try coreEvent(["type": "Warning", "reason": .string(reason)])
        let event = try decodedEvent(text)
        #expect(event.severity == "error")
        #expect(event.reason == reason)
    }

    @Test("§1.5 trace deny-list default covers the reasons observed in source- and helm-controller")
    func defaultTraceReasons() {
        #expect(
            Set(Self.traceReasons) == [
                "ArtifactUpToDate", "GarbageCollectionSucceeded", "SymlinkUpdateFailed", "CacheOperationFailed",
                "NoSourceArtifact", "ResolvedDependencies", "HelmChartSyncErr", "HelmChartCreated", "HelmChartConfigured",
                "HelmChartDeleted",
            ])
    }

    @Test("§1.5 Succeeded is a trace event only with a \"verified signature of\" message")
    func succeededSignature() throws {
        let signature = try coreEvent(["reason": "Succeeded", "message": "verified signature of revision main@sha1:abc"])
        #expect(try decode(signature) == .ignored(.trace(TraceRule(reason: "Succeeded", messagePrefix: "verified signature of"))))
        let recovery = try coreEvent(["reason": "Succeeded", "message": "stored artifact for revision 'main@sha1:abc'"])
        #expect(try decodedEvent(recovery).reason == "Succeeded")
    }

    @Test("trace deny-list is configurable: an empty list lets trace reasons through")
    func traceListConfigurable() throws {
        let text = try coreEvent(["reason": "ArtifactUpToDate"])
        let decoded = try decode(text, filter: EventFilter(traceRules: []))
        guard case .event(let event, _) = decoded else {
            Issue.record("expected an event, got \(decoded)")
            return
        }
        #expect(event.reason == "ArtifactUpToDate")
    }

    @Test("--trace-reason syntax: Reason or Reason:message prefix")
    func traceRuleParsing() {
        #expect(TraceRule(parsing: "ArtifactUpToDate") == TraceRule(reason: "ArtifactUpToDate"))
        #expect(
            TraceRule(parsing: " Succeeded : verified signature of")
                == TraceRule(reason: "Succeeded", messagePrefix: "verified signature of"))
        #expect(TraceRule(parsing: ":x") == nil)
        #expect(TraceRule(reason: "Succeeded", messagePrefix: "verified signature of").description == "Succeeded:verified signature of")
    }

    // MARK: errors

    struct FieldErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let field: String
        var testDescription: String { name }
    }

    static let fieldErrors: [FieldErrorCase] = [
        FieldErrorCase(name: "Flux message is a number", text: #"{"involvedObject":{"namespace":"a"},"message":5}"#, field: "message:"),
        FieldErrorCase(name: "Flux involvedObject is a string", text: #"{"involvedObject":"x"}"#, field: "involvedObject:"),
        FieldErrorCase(
            name: "Flux involvedObject.name is a boolean", text: #"{"involvedObject":{"name":true}}"#, field: "involvedObject.name:"),
        FieldErrorCase(name: "Flux metadata value is a number", text: #"{"involvedObject":{},"metadata":{"k":1}}"#, field: "metadata.k:"),
        FieldErrorCase(
            name: "Flux timestamp is not RFC 3339", text: #"{"involvedObject":{},"timestamp":"yesterday"}"#, field: "timestamp:"),
        FieldErrorCase(name: "Flux timestamp is a number", text: #"{"involvedObject":{},"timestamp":1}"#, field: "timestamp:"),
        FieldErrorCase(
            name: "core/v1 count is a string", text: #"{"kind":"Event","involvedObject":{"namespace":"a"},"count":"2"}"#, field: "count:"),
        FieldErrorCase(
            name: "core/v1 annotation value is a number", text: #"{"kind":"Event","metadata":{"annotations":{"k":1}}}"#,
            field: "metadata.annotations.k:"),
        FieldErrorCase(
            name: "watch object.reason is a list", text: #"{"type":"ADDED","object":{"kind":"Event","reason":[]}}"#, field: "object.reason:"
        ),
        FieldErrorCase(
            name: "watch object.involvedObject.kind is a number", text: #"{"type":"ADDED","object":{"involvedObject":{"kind":1}}}"#,
            field: "object.involvedObject.kind:"),
        FieldErrorCase(name: "watch type is a number", text: #"{"type":1,"object":{}}"#, field: "type:"),
        FieldErrorCase(name: "watch object is a string", text: #"{"type":"ADDED","object":"x"}"#, field: "object:"),
        FieldErrorCase(
            name: "events.k8s.io regarding.name is a number",
            text: #"{"kind":"Event","apiVersion":"events.k8s.io/v1","regarding":{"name":1}}"#, field: "regarding.name:"),
        FieldErrorCase(
            name: "events.k8s.io note is an object", text: #"{"kind":"Event","apiVersion":"events.k8s.io/v1","note":{}}"#, field: "note:"),
        FieldErrorCase(
            name: "events.k8s.io deprecatedSource.component is a number",
            text: #"{"kind":"Event","apiVersion":"events.k8s.io/v1","deprecatedSource":{"component":1}}"#,
            field: "deprecatedSource.component:"),
    ]

    @Test("wrong JSON types are errors that name the field", arguments: fieldErrors)
    func wrongTypesNameTheField(_ example: FieldErrorCase) throws {
        let value = try JSONParser.parse(example.text)
        let error = #expect(throws: EventDecodingError.self) { try EventDecoder.decode(value, filter: filter) }
        #expect(error?.description.hasPrefix(example.field) == true, "\(error?.description ?? "no error")")
    }

    @Test("input that is not a JSON object is an error naming its type")
    func notAnObject() {
        let error = #expect(throws: EventDecodingError.self) { try EventDecoder.decode([1], filter: filter) }
        #expect(error?.description == "expected a JSON object, got array")
    }
}
