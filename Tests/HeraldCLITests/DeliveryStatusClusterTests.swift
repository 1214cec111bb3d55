import Foundation
import HeraldJSON
import HeraldTestSupport
import Testing

/// `herald run` tells users whether their notifications arrive: a `LastDelivery` condition where the
/// Provider has a status subresource, Events where it has none; once per change, never a write storm.
@Suite("herald run: delivery status")
struct DeliveryStatusClusterTests {
    @Test("v1beta2 with status: LastDelivery follows the result, held to one write per interval, and Ready stays")
    func lastDeliveryCondition() async throws {
        let harness = try await ClusterHarness.start(fluxVersions: ["v1beta1", "v1beta2"], statusSubresource: true)
        defer { Task { await harness.tearDown() } }
        try harness.createProvider()
        try harness.createAlert()
        harness.recorder.respond(
            path: "/hook", with: [.status(401), .status(401), .status(200), .status(200), .status(404), .status(200)])
        try await harness.startHerald(extraArguments: ["--delivery-status-interval", "4s"])
        try await harness.waitUntilReady()
        for index in 1...6 {
            try harness.createEvent(ClusterHarness.coreEvent(name: "e\(index)", message: "event \(index)"))
        }
        #expect(try await harness.waitForDeliveries(6).count == 6)

        func conditions() -> [String: JSONValue] {
            let provider = harness.api.get(
                group: ClusterHarness.fluxGroup, version: "v1beta2", resource: "providers", namespace: "apps", name: "hook")
            var byType: [String: JSONValue] = [:]
            for condition in provider?["status"]?["conditions"]?.arrayValue ?? [] {
                if let type = condition["type"]?.stringValue { byType[type] = condition }
            }
            return byType
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, conditions()["LastDelivery"]?["status"] != "True" { try await Task.sleep(for: .milliseconds(100)) }
        let last = try #require(conditions()["LastDelivery"])
        #expect(last["status"] == "True")
        #expect(last["reason"] == "Succeeded")
        #expect(conditions()["Ready"]?["reason"] == "Succeeded", "writing LastDelivery keeps the Ready condition")
        try await Task.sleep(for: .seconds(1))
        let writes = await harness.api.requestLog.filter {
            $0.method == "PATCH" && $0.path.hasSuffix("/providers/hook/status")
        }
        #expect(writes.count == 3, "Ready once, then LastDelivery twice: \(writes.map { String(decoding: $0.body, as: UTF8.self) })")
        // The first failure is written at once; the changes after it are held until the interval ends,
        // and only the newest is written.
        var written: [String] = []
        for write in writes {
            let condition = (try? JSONParser.parse(write.body))?["status"]?["conditions"]?.arrayValue?.first {
                $0["type"] == "LastDelivery"
            }
            if let reason = condition?["reason"]?.stringValue, written.last != reason { written.append(reason) }
        }
        #expect(written == ["HTTP401", "Succeeded"])
    }

    @Test("v1beta3 without status: a Warning Event when deliveries start failing, a Normal one when they recover")
    func deliveryEvents() async throws {
        let harness = try await ClusterHarness.start()
        defer { Task { await harness.tearDown() } }
        try harness.createProvider(spec: ["type": "generic", "address": .string(harness.recorder.baseURL + "/hook"), "timeout": "1s"])
        try harness.createAlert()
        harness.recorder.respond(path: "/hook", with: [.status(401), .status(401), .status(200), .status(200), .hang])
        try await harness.startHerald(extraArguments: ["--delivery-status-interval", "0s"])
        try await harness.waitUntilReady()
        func heraldEvents() -> [JSONValue] {
            harness.api.list(group: "", version: "v1", resource: "events", namespace: "apps").filter {
                $0["source"]?["component"] == "herald" && $0["involvedObject"]?["name"] == "hook"
            }
        }
        for index in 1...5 {
            try harness.createEvent(ClusterHarness.coreEvent(name: "e\(index)", message: "event \(index)"))
            // One at a time, so each outcome is known before the next event.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, await harness.recorder.requests().count < index { try await Task.sleep(for: .milliseconds(20)) }
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, heraldEvents().count < 3 { try await Task.sleep(for: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(500))
        let events = heraldEvents()
        #expect(events.map { $0["type"]?.stringValue ?? "" } == ["Warning", "Normal", "Warning"])
        #expect(events.map { $0["reason"]?.stringValue ?? "" } == ["HTTP401", "DeliveryRecovered", "Timeout"])
        #expect(events.first?["involvedObject"]?["kind"] == "Provider")
    }
}
