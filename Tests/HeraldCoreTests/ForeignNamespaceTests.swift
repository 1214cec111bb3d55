import HeraldCore
import HeraldJSON
import Testing

/// The API server lets anyone who may create Events in `tenant-a` store one whose involved object is
/// `flux-system/podinfo` (checked on a real kube-apiserver, for both Event APIs, with `eventTime` set).
/// Herald believes an Event only about objects in its own namespace (issue 21).
@Suite("Events are believed only in their own namespace")
struct ForeignNamespaceTests {
    let filter = EventFilter()

    static let forgedCore = """
        {"metadata": {"name": "podinfo.forged", "namespace": "tenant-a", "uid": "f-1", "resourceVersion": "5"},
         "involvedObject": {"kind": "HelmRelease", "namespace": "flux-system", "name": "podinfo",
           "apiVersion": "helm.toolkit.fluxcd.io/v2"},
         "type": "Normal", "reason": "UpgradeSucceeded", "message": "Helm upgrade succeeded",
         "eventTime": "2026-12-08T10:00:00.000000Z", "reportingComponent": "helm-controller",
         "reportingInstance": "helm-controller-1"}
        """

    static let forgedEventsV1 = """
        {"metadata": {"name": "podinfo.forged2", "namespace": "tenant-a", "uid": "f-2", "resourceVersion": "6"},
         "regarding": {"kind": "HelmRelease", "namespace": "flux-system", "name": "podinfo"},
         "note": "Helm upgrade succeeded", "reason": "UpgradeSucceeded", "type": "Normal",
         "eventTime": "2026-12-08T10:00:00.000000Z", "reportingController": "helm-controller", "reportingInstance": "x",
         "action": "Upgrade"}
        """

    static let expected = DecodedEvent.ignored(
        .foreignNamespace(event: ObjectKey(namespace: "tenant-a", name: "podinfo.forged"), involvedNamespace: "flux-system"))

    @Test("a core/v1 Event in tenant-a about flux-system/podinfo is dropped, from the watch and from replay")
    func coreV1() throws {
        let value = try JSONParser.parse(Self.forgedCore)
        #expect(try EventDecoder.decodeKubernetesEvent(value, api: .coreV1, watchType: .added, filter: filter) == Self.expected)
        #expect(try EventDecoder.decodeKubernetesEvent(value, api: .coreV1, watchType: nil, filter: filter) == Self.expected)
        let watchLine: JSONValue = ["type": "ADDED", "object": value]
        #expect(try EventDecoder.decode(watchLine, filter: filter) == Self.expected)
    }

    @Test("an events.k8s.io/v1 Event in tenant-a regarding flux-system/podinfo is dropped")
    func eventsV1() throws {
        let value = try JSONParser.parse(Self.forgedEventsV1)
        let decoded = try EventDecoder.decodeKubernetesEvent(value, api: .eventsV1, watchType: .added, filter: filter)
        #expect(
            decoded
                == .ignored(
                    .foreignNamespace(event: ObjectKey(namespace: "tenant-a", name: "podinfo.forged2"), involvedNamespace: "flux-system")))
        #expect(try EventDecoder.decode(value, filter: filter) == decoded)
    }

    @Test("the same Event stored in flux-system is believed; one without a stored namespace (a hand-written replay line) too")
    func ownNamespace() throws {
        let own = Self.forgedCore.replacing(#""namespace": "tenant-a""#, with: #""namespace": "flux-system""#, maxReplacements: 1)
        guard case .event(let event, _) = try EventDecoder.decode(try JSONParser.parse(own), filter: filter) else {
            Issue.record("expected an event")
            return
        }
        #expect(event.involvedObject.namespace == "flux-system")
        let unstored = Self.forgedCore.replacing(#", "namespace": "tenant-a""#, with: "", maxReplacements: 1)
        guard case .event = try EventDecoder.decode(try JSONParser.parse(unstored), filter: filter) else {
            Issue.record("expected an event")
            return
        }
    }

    @Test("the reason says what was dropped and why")
    func description() {
        let reason = EventIgnoreReason.foreignNamespace(
            event: ObjectKey(namespace: "tenant-a", name: "e"), involvedNamespace: "flux-system")
        #expect("\(reason)" == "Event tenant-a/e names an object in namespace flux-system; an Event is believed only in its own namespace")
    }
}
