import HeraldCore
import HeraldJSON
import HeraldNotifiers
import Testing

@Suite("generic and generic-hmac (reference §4.1, §4.2)")
struct GenericNotifierTests {
    typealias F = NotifierFixture

    /// The §4.2 body: the shared fixture as Flux's Go encoder writes it.
    static let fixtureBody =
        #"{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp"},"severity":"info","timestamp":"2022-09-30T06:40:29Z","message":"message","reason":"reason","metadata":{"test":"metadata"},"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}"#

    static let hmacKey = "7152fed34dd6149a7c75a276c510da27cb6f82b0"
    static let hmacSignature = "sha256=65b018549b1254e7226d1c08f9567ee45bc9de0fc4e7b1a40253f9a018b08be7"

    @Test("§4.1 generic: POST <address>, the event's exact JSON bytes, Content-Type and Gotk-Component")
    func generic() throws {
        let request = try F.request(F.provider(.generic, address: "https://receiver.example.com/events?x=1"))
        #expect(request.method == "POST")
        #expect(request.url == "https://receiver.example.com/events?x=1")
        #expect(String(decoding: request.body, as: UTF8.self) == Self.fixtureBody)
        F.expectHeaders(request, [F.jsonHeader, HTTPHeaderField("Gotk-Component", "source-controller")])
        #expect(request.responseCheck == .status)
    }

    @Test("§4.1 generic: Secret headers (YAML map) are added and may override the default headers")
    func genericSecretHeaders() throws {
        let headers = """
            X-Custom: value
            Authorization: Bearer abc
            Gotk-Component: overridden
            X-Number: 42
            """
        let request = try F.request(
            F.provider(.generic, address: "https://receiver.example.com/", secretRef: "hdr"), secrets: ["hdr": ["headers": headers]])
        F.expectHeaders(
            request,
            [
                F.jsonHeader,
                HTTPHeaderField("Gotk-Component", "overridden", isSecret: true),
                HTTPHeaderField("X-Custom", "value", isSecret: true),
                HTTPHeaderField("Authorization", "Bearer abc", isSecret: true),
                HTTPHeaderField("X-Number", "42", isSecret: true),
            ])
        #expect(String(decoding: request.body, as: UTF8.self) == Self.fixtureBody)
    }

    @Test("§4.0 Secret headers that are not YAML are a construction error")
    func invalidHeadersYAML() {
        let provider = F.provider(.generic, address: "https://receiver.example.com/", secretRef: "hdr")
        let error = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["hdr": ["headers": "a: b: c"]]) }
        guard case .invalidHeaders? = error else {
            Issue.record("expected invalidHeaders, got \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("failed to read headers from secret: ") == true)
        let list = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["hdr": ["headers": "- a\n- b"]]) }
        #expect(list == .invalidHeaders("expected a map of header names to values"))
    }

    @Test(
        "§4.1 generic: an empty or relative address is a construction error",
        arguments: ["", "/events", "receiver.example.com/events", "ftp://receiver.example.com/"])
    func genericInvalidAddress(_ address: String) {
        let error = #expect(throws: ProviderError.self) { try F.client(F.provider(.generic, address: address)) }
        #expect(error == .invalidAddress(type: .generic, address: address, fromSecret: false))
    }

    @Test("§4.2 generic-hmac: the reference test vector (key 7152fed3…, X-Signature sha256=65b01854…)")
    func hmacTestVector() throws {
        let provider = F.provider(.genericHMAC, address: "https://receiver.example.com/hook", secretRef: "hmac")
        let request = try F.request(provider, secrets: ["hmac": ["token": Self.hmacKey]])
        #expect(request.method == "POST")
        #expect(request.url == "https://receiver.example.com/hook")
        #expect(String(decoding: request.body, as: UTF8.self) == Self.fixtureBody)
        F.expectHeaders(
            request,
            [F.jsonHeader, HTTPHeaderField("Gotk-Component", "source-controller"), HTTPHeaderField("X-Signature", Self.hmacSignature)])
    }

    @Test("§4.2 generic-hmac: X-Signature is set after the Secret headers and overrides a custom one")
    func hmacOverridesCustomSignature() throws {
        let provider = F.provider(.genericHMAC, address: "https://receiver.example.com/hook", secretRef: "hmac")
        let request = try F.request(provider, secrets: ["hmac": ["token": Self.hmacKey, "headers": "X-Signature: forged\nX-Extra: 1"]])
        #expect(request.headers.filter { $0.name.lowercased() == "x-signature" }.map(\.value) == [Self.hmacSignature])
        #expect(request.header("X-Extra") == "1")
    }

    @Test("§4.2 generic-hmac: the signature covers the exact body sent")
    func hmacDependsOnBody() throws {
        let provider = F.provider(.genericHMAC, address: "https://receiver.example.com/hook", secretRef: "hmac")
        let request = try F.request(provider, secrets: ["hmac": ["token": Self.hmacKey]], event: F.event(message: "other"))
        #expect(request.header("X-Signature") != Self.hmacSignature)
        #expect(request.header("X-Signature")?.hasPrefix("sha256=") == true)
        #expect(request.header("X-Signature")?.count == 7 + 64)
    }

    @Test("§4.2 generic-hmac: a missing or empty token is \"HMAC key is empty\"")
    func hmacEmptyKey() {
        let provider = F.provider(.genericHMAC, address: "https://receiver.example.com/hook", secretRef: "hmac")
        for secret in [["token": ""], ["address": "https://receiver.example.com/other"]] {
            let error = #expect(throws: ProviderError.self) { try F.client(provider, secrets: ["hmac": secret]) }
            #expect(error == .emptyHMACKey)
            #expect(error?.description == "HMAC key is empty")
        }
        let noSecret = #expect(throws: ProviderError.self) {
            try F.client(F.provider(.genericHMAC, address: "https://receiver.example.com/hook"))
        }
        #expect(noSecret == .emptyHMACKey)
    }
}
