import HeraldCore
import HeraldJSON
import HeraldTestSupport
import Testing

@testable import HeraldNotifiers

@Suite("Git commit-status providers: gitea, bitbucket, bitbucketserver (reference §4.7, §10)")
struct GitProviderNotifierTests {
    typealias F = NotifierFixture
    static let sha = F.sha
    static let statusID = "kustomization/webapp/0c9c2e41"
    /// SHA-1 of the status id, Bitbucket's 40-character key.
    static let hashedID = CommitStatus.hashedKey(statusID)

    func plan(
        _ provider: Provider, secret: [String: String] = ["token": "t0ken"], event: Event = F.kustomization()
    ) throws -> (
        request: OutgoingRequest, check: CheckedWrite?
    ) {
        try F.send(try F.client(provider, secrets: ["s": secret]), event)
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Gitea

    @Test("gitea: version check, status list with limit=50, POST with state, target_url, description, context")
    func gitea() throws {
        let provider = F.provider(.gitea, address: "https://gitea.example/org/repo.git", secretRef: "s")
        let plan = try F.client(provider, secrets: ["s": ["token": "t0ken"]]).notifier.plan(for: F.kustomization())
        #expect(
            plan.requests.map { "\($0.method) \($0.url)" } == [
                "GET https://gitea.example/api/v1/version",
                "GET https://gitea.example/api/v1/repos/org/repo/commits/\(Self.sha)/statuses?limit=50&page=1",
                "POST https://gitea.example/api/v1/repos/org/repo/statuses/\(Self.sha)",
            ])
        let write = try #require(plan.requests.last)
        F.expectHeaders(write, [HTTPHeaderField("Authorization", "token t0ken", isSecret: true), F.jsonHeader])
        #expect(
            text(write.body)
                == #"{"state":"success","target_url":"","description":"apply succeeded","context":"kustomization/webapp/0c9c2e41"}"#)
        #expect(try F.body(try self.plan(provider, event: F.kustomization(reason: "Progressing")).request)["state"] == "pending")
        #expect(try F.body(try self.plan(provider, event: F.kustomization(severity: "error")).request)["state"] == "failure")
    }

    @Test("gitea duplicates: the first status with the context decides, read from the `status` key")
    func giteaDuplicates() throws {
        let check = try #require(try plan(F.provider(.gitea, address: "https://gitea.example/org/repo", secretRef: "s")).check)
        func isDuplicate(_ json: String) -> Bool { check.isDuplicate(ProviderResponse(status: 200, body: Array(json.utf8))) }
        let same = #"{"context":"\#(Self.statusID)","status":"success","description":"apply succeeded"}"#
        let older = #"{"context":"\#(Self.statusID)","status":"failure","description":"health check failed"}"#
        #expect(isDuplicate("[\(same),\(older)]"))
        #expect(!isDuplicate("[\(older),\(same)]"))
        #expect(!isDuplicate(#"[{"context":"\#(Self.statusID)","state":"success","description":"apply succeeded"}]"#))
        #expect(isDuplicate(#"[{"context":"","status":"x","description":"y"},\#(same)]"#))
    }

    @Test("gitea: a token (or password) and an owner/repo address are required")
    func giteaErrors() {
        #expect(throws: ProviderError.missingToken("gitea token cannot be empty")) {
            try F.client(F.provider(.gitea, address: "https://gitea.example/org/repo"))
        }
        #expect(throws: ProviderError.invalidRepository("org/sub/repo")) {
            try F.client(F.provider(.gitea, address: "https://gitea.example/org/sub/repo", secretRef: "s"), secrets: ["s": ["token": "t"]])
        }
    }

    // MARK: Bitbucket Cloud

    @Test("bitbucket: api.bitbucket.org whatever the host, Basic from user:app-password, SHA-1 key, 404 means none yet")
    func bitbucket() throws {
        let provider = F.provider(.bitbucket, address: "https://bitbucket.example/workspace/repo.git", secretRef: "s")
        let (write, check) = try ProcessEnvironmentLock.withUnset { try plan(provider, secret: ["token": "user:app-password"]) }
        #expect(write.url == "https://api.bitbucket.org/2.0/repositories/workspace/repo/commit/\(Self.sha)/statuses/build")
        F.expectHeaders(write, [HTTPHeaderField("Authorization", "Basic dXNlcjphcHAtcGFzc3dvcmQ=", isSecret: true), F.jsonHeader])
        #expect(
            text(write.body)
                == #"{"key":"\#(Self.hashedID)","url":"https://bitbucket.org","state":"SUCCESSFUL","name":"kustomization/webapp","description":"apply succeeded"}"#
        )
        let read = try #require(check)
        #expect(read.read.url == write.url + "/" + Self.hashedID)
        #expect(read.readAccepts == [404])
        #expect(!read.isDuplicate(ProviderResponse(status: 404, body: Array(#"{"type":"error"}"#.utf8))))
        #expect(
            read.isDuplicate(
                ProviderResponse(status: 200, body: Array(#"{"state":"SUCCESSFUL","description":"apply succeeded","name":"other"}"#.utf8))))
        #expect(!read.isDuplicate(ProviderResponse(status: 200, body: Array(#"{"state":"FAILED","description":"apply succeeded"}"#.utf8))))
    }

    @Test("bitbucket: the token must be exactly user:password")
    func bitbucketErrors() {
        let provider = F.provider(.bitbucket, address: "https://bitbucket.org/workspace/repo", secretRef: "s")
        #expect(throws: ProviderError.invalidSetting("invalid token format, expected to be <user>:<password>")) {
            try F.client(provider, secrets: ["s": ["token": "user:pa:ss"]])
        }
        #expect(throws: ProviderError.missingToken("bitbucket token cannot be empty")) {
            try F.client(F.provider(.bitbucket, address: "https://bitbucket.org/workspace/repo"))
        }
    }

    // MARK: Bitbucket Server

    struct ServerURLCase: Sendable, CustomTestStringConvertible {
        let address: String
        let builds: String
        var testDescription: String { address }
    }

    static let serverAddresses: [ServerURLCase] = [
        ServerURLCase(
            address: "https://example.com:7990/scm/projectfoo/repobar.git",
            builds: "https://example.com:7990/rest/api/latest/projects/projectfoo/repos/repobar/commits"),
        ServerURLCase(
            address: "https://example.com:7990/context1/scm/projectfoo/repobar.git",
            builds: "https://example.com:7990/context1/rest/api/latest/projects/projectfoo/repos/repobar/commits"),
        ServerURLCase(
            address: "https://example.com:7990/scm/scm/projectfoo/repobar.git",
            builds: "https://example.com:7990/scm/rest/api/latest/projects/projectfoo/repos/repobar/commits"),
        ServerURLCase(
            address: "https://example.com:7990/scm/context2/scm/scm/projectfoo/repobar.git",
            builds: "https://example.com:7990/scm/context2/scm/rest/api/latest/projects/projectfoo/repos/repobar/commits"),
    ]

    @Test("bitbucketserver: the build URL Flux's tests assert, from the last /scm/", arguments: serverAddresses)
    func bitbucketServerURL(_ example: ServerURLCase) throws {
        let (write, check) = try plan(F.provider(.bitbucketServer, address: example.address, secretRef: "s"))
        #expect(write.url == "\(example.builds)/\(Self.sha)/builds")
        #expect(check?.read.url == "\(example.builds)/\(Self.sha)/builds?key=\(Self.hashedID)")
    }

    @Test("bitbucketserver: Bearer or Basic, Atlassian headers, Encoder body with a newline, duplicate on all four fields")
    func bitbucketServer() throws {
        let address = "https://example.com:7990/scm/projectfoo/repobar.git"
        let (write, check) = try plan(F.provider(.bitbucketServer, address: address, secretRef: "s"))
        F.expectHeaders(
            write,
            [
                HTTPHeaderField("Authorization", "Bearer t0ken", isSecret: true), HTTPHeaderField("X-Atlassian-Token", "no-check"),
                HTTPHeaderField("X-Requested-With", "XMLHttpRequest"), F.jsonHeader,
            ])
        let name = "kustomization/webapp [apply succeeded]"
        #expect(
            text(write.body)
                == #"{"description":"apply succeeded","key":"\#(Self.hashedID)","name":"\#(name)","state":"SUCCESSFUL","url":"\#(address)"}"#
                + "\n")
        let existing = #"{"key":"\#(Self.hashedID)","state":"SUCCESSFUL","description":"apply succeeded","name":"\#(name)"}"#
        #expect(try #require(check).isDuplicate(ProviderResponse(status: 200, body: Array(existing.utf8))))
        #expect(!(try #require(check).isDuplicate(ProviderResponse(status: 404))))
        let basic = try plan(F.provider(.bitbucketServer, address: address, secretRef: "s"), secret: ["username": "u", "password": "p"])
        #expect(basic.request.header("Authorization") == "Basic dTpw")
    }

    @Test("bitbucketserver: Flux's error strings for addresses, credentials and severities")
    func bitbucketServerErrors() throws {
        func error(_ address: String, _ secret: [String: String] = ["token": "t"]) -> String? {
            do {
                _ = try F.client(F.provider(.bitbucketServer, address: address, secretRef: "s"), secrets: ["s": secret])
                return nil
            } catch { return error.description }
        }
        #expect(
            error("https://example.com/projectfoo/repobar.git")
                == "could not parse git address: supplied provider address is not http(s) git clone url")
        #expect(
            error("ssh://git@example.com:7999/projectfoo/repobar.git")
                == "could not parse git address: unsupported scheme type in address: ssh. Must be http or https")
        #expect(
            error("https://example.com/scm/projectfoo/repobar/invalid.git")
                == "could not parse git address: invalid repository id \"projectfoo/repobar/invalid\"")
        #expect(
            error("https://example.com/scm/p/r.git", ["username": "u"])
                == "invalid credentials, expected to be one of username/password or API Token")
        let severity = #expect(throws: ProviderError.self) {
            try plan(
                F.provider(.bitbucketServer, address: "https://example.com/scm/p/r.git", secretRef: "s"),
                event: F.kustomization(severity: "trace"))
        }
        #expect(
            severity?.description
                == "couldn't convert to bitbucket server state: bitbucket server state generated on info or error events only")
    }
}
