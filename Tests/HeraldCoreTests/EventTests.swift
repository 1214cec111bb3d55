import HeraldCore
import HeraldJSON
import Testing

@Suite("Event JSON (reference §1.1)")
struct EventTests {
    @Test("§1.1 minimal serialisation: empty event with one metadata key")
    func minimalSerialisation() {
        let event = Event(
            involvedObject: ObjectReference(), severity: "", timestamp: nil, message: "", reason: "", metadata: ["foo": "bar"])
        let expected =
            #"{"involvedObject":{},"severity":"","timestamp":null,"message":"","reason":"","metadata":{"foo":"bar"},"reportingController":""}"#
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == expected)
    }

    @Test("§1.1 metadata omitted when empty, reportingController always present, reportingInstance omitted when empty")
    func omitEmpty() {
        let event = Event(involvedObject: ObjectReference(), severity: "info", timestamp: nil, message: "m", reason: "r")
        #expect(
            String(decoding: event.jsonBytes, as: UTF8.self)
                == #"{"involvedObject":{},"severity":"info","timestamp":null,"message":"m","reason":"r","reportingController":""}"#)
    }

    @Test("§1.1 involvedObject keys in Go order: kind, namespace, name, uid, apiVersion, resourceVersion, fieldPath")
    func involvedObjectKeyOrder() {
        let reference = ObjectReference(
            kind: "K", namespace: "ns", name: "n", uid: "u", apiVersion: "g/v1", resourceVersion: "7", fieldPath: "spec")
        #expect(
            JSONWriter.string(reference.jsonValue)
                == #"{"kind":"K","namespace":"ns","name":"n","uid":"u","apiVersion":"g/v1","resourceVersion":"7","fieldPath":"spec"}"#)
        let partial = ObjectReference(kind: "K", name: "n", apiVersion: "v1")
        #expect(JSONWriter.string(partial.jsonValue) == #"{"kind":"K","name":"n","apiVersion":"v1"}"#)
    }

    @Test("§1.1 metadata keys are written sorted, timestamp in second-precision UTC")
    func metadataSortedAndTimestamp() {
        let event = Event(
            involvedObject: ObjectReference(kind: "GitRepository", namespace: "gitops-system", name: "webapp"),
            severity: "info", timestamp: FluxTimestamp(rfc3339: "2022-09-30T08:40:29.75+02:00"), message: "message",
            reason: "reason", metadata: ["b": "2", "a": "1"], reportingController: "source-controller",
            reportingInstance: "source-controller-xyz")
        let expected =
            #"{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp"},"severity":"info","timestamp":"2022-09-30T06:40:29Z","message":"message","reason":"reason","metadata":{"a":"1","b":"2"},"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}"#
        #expect(String(decoding: event.jsonBytes, as: UTF8.self) == expected)
    }

    @Test("Go escaping applies to event text (<, >, & as \\u003c, \\u003e, \\u0026)")
    func htmlEscaping() {
        let event = Event(involvedObject: ObjectReference(), severity: "error", timestamp: nil, message: "a<b>&c", reason: "")
        #expect(String(decoding: event.jsonBytes, as: UTF8.self).contains(#""message":"a\u003cb\u003e\u0026c""#))
    }

    @Test("object group is the API group of involvedObject.apiVersion, empty for core")
    func objectGroup() {
        #expect(ObjectReference(apiVersion: "kustomize.toolkit.fluxcd.io/v1").group == "kustomize.toolkit.fluxcd.io")
        #expect(ObjectReference(apiVersion: "v1").group == "")
        #expect(ObjectReference(kind: "Kustomization", namespace: "apps", name: "webapp").displayName == "Kustomization/apps/webapp")
    }
}
