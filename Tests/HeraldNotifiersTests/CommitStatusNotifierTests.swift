import HeraldCore
import HeraldJSON
import Testing

@testable import HeraldNotifiers

@Suite("Git commit-status providers: github, gitlab (reference §4.0, §4.7)")
struct CommitStatusNotifierTests {
    typealias F = NotifierFixture
    static let sha = F.sha
    static let statusID = "kustomization/webapp/0c9c2e41"
    static let tokenSecret = ["token": ["token": "ghp_token"]]

    static func github(_ address: String = "https://github.com/fluxcd/webapp") -> Provider {
        F.provider(.github, address: address, secretRef: "token")
    }

    static func gitlab(_ address: String = "https://gitlab.com/group/sub/webapp") -> Provider {
        F.provider(.gitlab, address: address, secretRef: "token")
    }

    func plan(_ provider: Provider, _ event: Event = F.kustomization()) throws -> (request: OutgoingRequest, check: CheckedWrite?) {
        try F.send(try F.client(provider, secrets: Self.tokenSecret), event)
    }

    // MARK: GitHub

    @Test("§4.7 commitStatusExpr: the router's id replaces the default context, name or key")
    func expressionID() throws {
        let context = RenderContext(commitStatusID: "flux/custom-id")
        let github = try F.client(Self.github(), secrets: Self.tokenSecret).notifier.plan(for: F.kustomization(), context: context)
        #expect(try F.body(try #require(github.requests.last))["context"] == "flux/custom-id")
        let gitlab = try F.client(Self.gitlab(), secrets: Self.tokenSecret).notifier.plan(for: F.kustomization(), context: context)
        #expect(try F.body(try #require(gitlab.requests.last))["name"] == "flux/custom-id")
    }

    @Test("§4.7 github: POST /repos/{owner}/{repo}/statuses/{sha} on api.github.com with state, description, context")
    func githubRequest() throws {
        let (request, check) = try plan(Self.github())
        #expect(request.method == "POST")
        #expect(request.url == "https://api.github.com/repos/fluxcd/webapp/statuses/\(Self.sha)")
        F.expectHeaders(
            request,
            [
                HTTPHeaderField("Accept", "application/vnd.github.v3+json"), HTTPHeaderField("X-GitHub-Api-Version", "2022-11-28"),
                HTTPHeaderField("Authorization", "Bearer ghp_token", isSecret: true), F.jsonHeader,
            ])
        #expect(try F.body(request) == ["state": "success", "description": "apply succeeded", "context": .string(Self.statusID)])
        let read = try #require(check?.read)
        #expect(read.method == "GET")
        #expect(read.url == "https://api.github.com/repos/fluxcd/webapp/commits/\(Self.sha)/statuses?per_page=50")
        #expect(read.body.isEmpty)
        #expect(read.headers.contains(HTTPHeaderField("Authorization", "Bearer ghp_token", isSecret: true)))
    }

    @Test("§4.7 github: state info → success, error → failure, anything else → error")
    func githubStates() throws {
        #expect(try F.body(plan(Self.github(), F.kustomization(severity: "error")).request)["state"] == "failure")
        let error = #expect(throws: ProviderError.self) { try plan(Self.github(), F.kustomization(severity: "trace")) }
        #expect(error == .invalidSeverity("trace"))
    }

    struct BaseURLCase: Sendable, CustomTestStringConvertible {
        let address: String
        let statusURL: String
        var testDescription: String { address }
    }

    static let githubAddresses: [BaseURLCase] = [
        BaseURLCase(address: "https://api.ghe.example.com/org/repo", statusURL: "https://api.ghe.example.com/repos/org/repo/statuses/"),
        BaseURLCase(address: "https://ghe.api.example.com/org/repo", statusURL: "https://ghe.api.example.com/repos/org/repo/statuses/"),
        BaseURLCase(address: "https://github.com/fluxcd/webapp", statusURL: "https://api.github.com/repos/fluxcd/webapp/statuses/"),
        BaseURLCase(address: "https://github.com/fluxcd/webapp.git", statusURL: "https://api.github.com/repos/fluxcd/webapp/statuses/"),
        BaseURLCase(address: "ssh://git@github.com/fluxcd/webapp.git", statusURL: "https://api.github.com/repos/fluxcd/webapp/statuses/"),
        BaseURLCase(address: "git@github.com:fluxcd/webapp.git", statusURL: "https://api.github.com/repos/fluxcd/webapp/statuses/"),
        BaseURLCase(
            address: "https://github.example.com/org/repo", statusURL: "https://github.example.com/api/v3/repos/org/repo/statuses/"),
        BaseURLCase(
            address: "https://github.example.com:8443/org/repo.git",
            statusURL: "https://github.example.com:8443/api/v3/repos/org/repo/statuses/"),
        BaseURLCase(
            address: "git@github.example.com:org/repo.git", statusURL: "https://github.example.com/api/v3/repos/org/repo/statuses/"),
    ]

    @Test("§4.0 parseGitAddress + §4.7 github base URL: github.com → api.github.com, else <host>/api/v3/", arguments: githubAddresses)
    func githubAddress(_ example: BaseURLCase) throws {
        #expect(try plan(Self.github(example.address)).request.url == example.statusURL + Self.sha)
    }

    @Test(
        "§4.7 github: the repository id must be owner/repo",
        arguments: ["https://github.com/fluxcd", "https://github.com/org/group/repo", "https://github.com/"])
    func githubRepositoryID(_ address: String) {
        let error = #expect(throws: ProviderError.self) { try F.client(Self.github(address), secrets: Self.tokenSecret) }
        guard case .invalidRepository? = error else {
            Issue.record("expected invalidRepository, got \(String(describing: error))")
            return
        }
    }

    @Test("§4.7 github: no token → \"github token or github app details must be specified\"")
    func githubMissingToken() {
        let noSecret = #expect(throws: ProviderError.self) {
            try F.client(F.provider(.github, address: "https://github.com/fluxcd/webapp"))
        }
        #expect(noSecret?.description == "github token or github app details must be specified")
        let cases: [[String: String]] = [["address": "https://github.com/fluxcd/webapp"], ["token": ""]]
        for secret in cases {
            let error = #expect(throws: ProviderError.self) { try F.client(Self.github(), secrets: ["token": secret]) }
            #expect(error?.description == "github token or github app details must be specified")
        }
    }

    @Test("§4.7 github: the Secret password is the token when there is no token key")
    func githubPassword() throws {
        let request = try F.send(
            try F.client(Self.github(), secrets: ["token": ["username": "git", "password": "pat-from-password"]]), F.kustomization()
        ).request
        #expect(request.header("Authorization") == "Bearer pat-from-password")
    }

    @Test("§4.7 github: GitHub App keys are used when there is no token, and a key that is not PEM is refused")
    func githubAppKeys() {
        let error = #expect(throws: ProviderError.self) {
            try F.client(
                Self.github(), secrets: ["token": ["githubAppID": "1", "githubAppInstallationID": "2", "githubAppPrivateKey": "k"]])
        }
        #expect(error?.description.hasPrefix("could not parse private key") == true, "\(String(describing: error))")
    }

    static let githubStatus = "[{\"context\":\"\(statusID)\",\"state\":\"success\",\"description\":\"apply succeeded\"}]"

    @Test("§4.7 github duplicates: the first status with the same context decides")
    func githubDuplicates() throws {
        let check = try #require(try plan(Self.github()).check)
        func isDuplicate(_ json: String) -> Bool { check.isDuplicate(ProviderResponse(status: 200, body: Array(json.utf8))) }
        let id = Self.statusID
        #expect(isDuplicate(Self.githubStatus))
        #expect(isDuplicate("[]") == false)
        // Newest first: a newer different status with our context means the write is needed.
        #expect(
            isDuplicate(
                "[{\"context\":\"\(id)\",\"state\":\"failure\",\"description\":\"apply succeeded\"},{\"context\":\"\(id)\",\"state\":\"success\",\"description\":\"apply succeeded\"}]"
            )
                == false)
        #expect(isDuplicate("[{\"context\":\"\(id)\",\"state\":\"success\",\"description\":\"other\"}]") == false)
        // Other contexts are skipped over.
        #expect(isDuplicate("[{\"context\":\"ci/build\",\"state\":\"failure\",\"description\":\"x\"}," + Self.githubStatus.dropFirst()))
        // Statuses missing context, state or description are ignored.
        #expect(isDuplicate("[{\"context\":\"\(id)\",\"state\":\"failure\"}," + Self.githubStatus.dropFirst()))
        #expect(isDuplicate("not json") == false)
    }

    // MARK: GitLab

    @Test("§4.7 gitlab: POST /projects/{url-encoded id}/statuses/{sha} with PRIVATE-TOKEN, state, name, description")
    func gitlabRequest() throws {
        let (request, check) = try plan(Self.gitlab())
        #expect(request.method == "POST")
        #expect(request.url == "https://gitlab.com/api/v4/projects/group%2Fsub%2Fwebapp/statuses/\(Self.sha)")
        F.expectHeaders(request, [F.jsonHeader, HTTPHeaderField("PRIVATE-TOKEN", "ghp_token", isSecret: true)])
        #expect(try F.body(request) == ["state": "success", "name": .string(Self.statusID), "description": "apply succeeded"])
        let read = try #require(check?.read)
        #expect(read.method == "GET")
        #expect(
            read.url
                == "https://gitlab.com/api/v4/projects/group%2Fsub%2Fwebapp/repository/commits/\(Self.sha)/statuses?name=kustomization%2Fwebapp%2F0c9c2e41"
        )
        F.expectHeaders(read, [HTTPHeaderField("PRIVATE-TOKEN", "ghp_token", isSecret: true)])
    }

    @Test("§4.7 gitlab: state info → success, error → failed")
    func gitlabStates() throws {
        #expect(try F.body(plan(Self.gitlab(), F.kustomization(severity: "error")).request)["state"] == "failed")
        #expect(try F.body(plan(Self.gitlab()).request)["state"] == "success")
    }

    static let gitlabAddresses: [BaseURLCase] = [
        BaseURLCase(
            address: "https://gitlab.com/foo/bar/foo.git", statusURL: "https://gitlab.com/api/v4/projects/foo%2Fbar%2Ffoo/statuses/"),
        BaseURLCase(address: "git@gitlab.com:foo/bar.git", statusURL: "https://gitlab.com/api/v4/projects/foo%2Fbar/statuses/"),
        BaseURLCase(address: "ssh://git@gitlab.com/foo/bar.git", statusURL: "https://gitlab.com/api/v4/projects/foo%2Fbar/statuses/"),
        BaseURLCase(
            address: "https://gitlab.example.com/a/b/c/d", statusURL: "https://gitlab.example.com/api/v4/projects/a%2Fb%2Fc%2Fd/statuses/"),
        BaseURLCase(
            address: "http://gitlab.internal:8080/team/app", statusURL: "http://gitlab.internal:8080/api/v4/projects/team%2Fapp/statuses/"),
        BaseURLCase(address: "https://gitlab.com/12345", statusURL: "https://gitlab.com/api/v4/projects/12345/statuses/"),
    ]

    @Test("§4.0 parseGitAddress + §4.7 gitlab: <host>/api/v4/, project id URL-encoded, nested groups", arguments: gitlabAddresses)
    func gitlabAddress(_ example: BaseURLCase) throws {
        #expect(try plan(Self.gitlab(example.address)).request.url == example.statusURL + Self.sha)
    }

    @Test("§4.7 gitlab: no token → \"gitlab token cannot be empty\"; the password is used when there is no token")
    func gitlabToken() throws {
        let error = #expect(throws: ProviderError.self) { try F.client(Self.gitlab(), secrets: ["token": ["token": ""]]) }
        #expect(error?.description == "gitlab token cannot be empty")
        let none = #expect(throws: ProviderError.self) { try F.client(F.provider(.gitlab, address: "https://gitlab.com/a/b")) }
        #expect(none?.description == "gitlab token cannot be empty")
        let request = try F.send(
            try F.client(Self.gitlab(), secrets: ["token": ["username": "u", "password": "glpat"]]), F.kustomization()
        ).request
        #expect(request.header("PRIVATE-TOKEN") == "glpat")
    }

    @Test("§4.7 gitlab duplicates: any status with the same sha, status, description and name")
    func gitlabDuplicates() throws {
        let check = try #require(try plan(Self.gitlab()).check)
        func status(
            sha: String = Self.sha, status: String = "success", description: String = "apply succeeded", name: String = Self.statusID
        ) -> String {
            "{\"sha\":\"\(sha)\",\"status\":\"\(status)\",\"description\":\"\(description)\",\"name\":\"\(name)\"}"
        }
        func isDuplicate(_ statuses: [String]) -> Bool {
            check.isDuplicate(ProviderResponse(status: 200, body: Array(("[" + statuses.joined(separator: ",") + "]").utf8)))
        }
        #expect(isDuplicate([status()]))
        #expect(isDuplicate([status(status: "failed"), status(name: "other"), status()]))
        #expect(isDuplicate([]) == false)
        #expect(isDuplicate([status(sha: "b" + String(Self.sha.dropFirst()))]) == false)
        #expect(isDuplicate([status(status: "failed")]) == false)
        #expect(isDuplicate([status(description: "apply failed")]) == false)
        #expect(isDuplicate([status(name: "kustomization/other/0c9c2e41")]) == false)
    }

    // MARK: common Post logic

    @Test("§4.7 revision lookup order: commit, then originRevision, then revision")
    func revisionOrder() throws {
        let a = String(repeating: "a", count: 40), b = String(repeating: "b", count: 40), c = String(repeating: "c", count: 40)
        let all = F.kustomization(metadata: ["commit": a, "originRevision": "main@sha1:\(b)", "revision": "main@sha1:\(c)"])
        #expect(try plan(Self.github(), all).request.url.hasSuffix("/statuses/\(a)"))
        let noCommit = F.kustomization(metadata: ["originRevision": "main@sha1:\(b)", "revision": "main@sha1:\(c)"])
        #expect(try plan(Self.github(), noCommit).request.url.hasSuffix("/statuses/\(b)"))
        let revisionOnly = F.kustomization(metadata: ["revision": "main@sha1:\(c)"])
        #expect(try plan(Self.gitlab(), revisionOnly).request.url.hasSuffix("/statuses/\(c)"))
    }

    @Test("§4.7 missing revision metadata is an error", arguments: [ProviderType.github, .gitlab])
    func missingRevision(_ type: ProviderType) {
        let provider = type == .github ? Self.github() : Self.gitlab()
        let error = #expect(throws: ProviderError.self) { try plan(provider, F.kustomization(metadata: ["summary": "x"])) }
        #expect(error == .missingRevision)
        #expect(error?.description == "missing revision metadata")
    }

    static let parseRevisionCases = [
        "sha1:a1afe267b54f38b46b487f6e938a6fd508278c07",
        "master@sha1:a1afe267b54f38b46b487f6e938a6fd508278c07",
        "environment/dev@sha1:a1afe267b54f38b46b487f6e938a6fd508278c07",
        "master/a1afe267b54f38b46b487f6e938a6fd508278c07",
        "environment/dev/a1afe267b54f38b46b487f6e938a6fd508278c07",
        "HEAD/a1afe267b54f38b46b487f6e938a6fd508278c07",
        "a1afe267b54f38b46b487f6e938a6fd508278c07",
    ]

    @Test("§4.0 parseRevision: every reference test case extracts a1afe267…c07", arguments: parseRevisionCases)
    func parseRevision(_ revision: String) throws {
        let request = try plan(Self.github(), F.kustomization(metadata: ["revision": revision])).request
        #expect(request.url == "https://api.github.com/repos/fluxcd/webapp/statuses/a1afe267b54f38b46b487f6e938a6fd508278c07")
    }

    static let badRevisions = [
        "master",
        "sha256:" + String(repeating: "d", count: 64),
        "main@sha256:" + String(repeating: "d", count: 64),
        "main@sha1:a1afe26",
        "6.1.0",
    ]

    @Test("§4.0 parseRevision: a revision without a 40-character hash is an error (master, SHA-256, short)", arguments: badRevisions)
    func parseRevisionErrors(_ revision: String) {
        let error = #expect(throws: ProviderError.self) { try plan(Self.gitlab(), F.kustomization(metadata: ["revision": revision])) }
        #expect(error == .invalidRevision(revision))
        #expect(error?.description == "failed to extract commit hash from '\(revision)' revision")
    }

    struct DescriptionCase: Sendable, CustomTestStringConvertible {
        let reason: String
        let description: String
        var testDescription: String { "\(reason) → \(description)" }
    }

    static let descriptions: [DescriptionCase] = [
        DescriptionCase(reason: "ApplySucceeded", description: "apply succeeded"),
        DescriptionCase(reason: "ReconciliationFailed", description: "reconciliation failed"),
        DescriptionCase(reason: "HealthCheckFailed", description: "health check failed"),
        DescriptionCase(reason: "event-happened", description: "event - happened"),
        DescriptionCase(reason: "PDFLoader", description: "pdf loader"),
    ]

    @Test("§4.0 formatNameAndDescription: the description is the reason in lower-case camel-case words", arguments: descriptions)
    func descriptionFromReason(_ example: DescriptionCase) throws {
        let github = try F.body(plan(Self.github(), F.kustomization(reason: example.reason)).request)
        #expect(github["description"] == .string(example.description))
        let gitlab = try F.body(plan(Self.gitlab(), F.kustomization(reason: example.reason)).request)
        #expect(gitlab["description"] == .string(example.description))
    }

    @Test("§4.7 default status id: lowercase(<Kind>/<name>/<first segment of the Provider UID>), namespace not included")
    func defaultStatusID() throws {
        var event = F.kustomization()
        event.involvedObject.kind = "HelmRelease"
        event.involvedObject.name = "PodInfo"
        event.involvedObject.namespace = "ns-not-included"
        var provider = Self.github()
        provider.meta.uid = "ABCDEF12-0000-1111-2222-333333333333"
        #expect(try F.body(plan(provider, event).request)["context"] == "helmrelease/podinfo/abcdef12")
    }

    @Test("§4.7 reason Progressing: nothing is sent", arguments: [ProviderType.github, .gitlab])
    func progressingSkipped(_ type: ProviderType) throws {
        let provider = type == .github ? Self.github() : Self.gitlab()
        let plan = try F.client(provider, secrets: Self.tokenSecret).notifier.plan(for: F.kustomization(reason: "Progressing"))
        guard case .skip = plan else {
            Issue.record("expected a skip, got \(plan)")
            return
        }
    }

    @Test("§4.0 git address that cannot be parsed is a construction error", arguments: [ProviderType.github, .gitlab])
    func unparsableGitAddress(_ type: ProviderType) {
        let error = #expect(throws: ProviderError.self) {
            try F.client(F.provider(type, address: "not a git address", secretRef: "token"), secrets: Self.tokenSecret)
        }
        guard case .invalidGitAddress? = error else {
            Issue.record("expected invalidGitAddress, got \(String(describing: error))")
            return
        }
    }
}
