import Crypto
import HeraldCore

/// What the Git commit-status providers share (reference §4.7): revision, SHA, address and status id.
enum CommitStatus {
    /// The values every commit-status write is made of.
    struct Update {
        var sha: String
        var state: String
        var description: String
        /// GitHub's `context`, GitLab's `name`.
        var id: String
    }

    /// The common Post logic: `nil` for `Progressing` (nothing is written) unless the provider has a
    /// state for it (Gitea's `pending`), else the update, or why not.
    /// `severityError` is the provider's own message for a severity other than info or error (Gitea's
    /// `can't convert to gitea state`); without one the generic message is used.
    static func update(
        for event: Event, context: RenderContext, providerUID: String, info: String, error: String, progressing: String? = nil,
        severityError: String? = nil
    ) throws(ProviderError) -> Update? {
        let isProgressing = event.reason == "Progressing"
        if isProgressing && progressing == nil { return nil }
        guard let revision = revision(of: event) else { throw .missingRevision }
        let sha = try sha(from: revision)
        let state: String
        if isProgressing, let progressing {
            state = progressing
        } else {
            do {
                state = try Self.state(for: event, info: info, error: error)
            } catch {
                if let severityError { throw .invalidSetting(severityError) }
                throw error
            }
        }
        return Update(
            sha: sha,
            state: state,
            description: EventText.nameAndDescription(event).description,
            id: context.commitStatusID ?? defaultID(event: event, providerUID: providerUID)
        )
    }

    /// `commit`, then `originRevision`, then `revision`, from the combined (un-prefixed) metadata.
    static func revision(of event: Event) -> String? {
        for key in ["commit", "originRevision", "revision"] {
            if let value = event.metadata[key], !value.isEmpty { return value }
        }
        return nil
    }

    /// The 40-character commit hash inside a Flux revision (`main@sha1:<h>`, `main/<h>`, `sha1:<h>`, `<h>`).
    static func sha(from revision: String) throws(ProviderError) -> String {
        var normalized = revision
        if !revision.contains(":") {
            // Legacy forms: `main/<h>` → `main@sha1:<h>`, `HEAD/<h>` → `sha1:<h>`, bare `<h>` → `sha1:<h>`.
            if let slash = revision.lastIndex(of: "/") {
                let reference = revision[..<slash]
                let hash = revision[revision.index(after: slash)...]
                normalized = reference == "HEAD" ? "sha1:\(hash)" : "\(reference)@sha1:\(hash)"
            } else if revision.count == 40 {
                normalized = "sha1:\(revision)"
            }
        }
        let hash: Substring
        if let colon = normalized.lastIndex(of: ":") {
            hash = normalized[normalized.index(after: colon)...]
        } else if let slash = normalized.lastIndex(of: "/") {
            hash = normalized[normalized.index(after: slash)...]
        } else {
            hash = Substring(normalized)
        }
        guard hash.count == 40 else { throw .invalidRevision(revision) }
        return String(hash)
    }

    /// The status id Flux computes by default: `lowercase(kind/name/<first segment of the Provider UID>)`.
    static func defaultID(event: Event, providerUID: String) -> String {
        let uidPrefix = providerUID.split(separator: "-", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return "\(event.involvedObject.kind)/\(event.involvedObject.name)/\(uidPrefix)".lowercased()
    }

    /// The token, else the password of a username/password Secret (GitHub, GitLab, Gitea).
    static func credential(_ settings: ProviderSettings) -> String {
        settings.token.isEmpty ? settings.password : settings.token
    }

    /// Bitbucket's status key: the id's SHA-1 in hex, because the API caps keys at 40 characters.
    static func hashedKey(_ id: String) -> String {
        Insecure.SHA1.hash(data: Array(id.utf8)).hexString
    }

    /// `success`-like state for info, `failure`-like for error; anything else is an error.
    static func state(for event: Event, info: String, error: String) throws(ProviderError) -> String {
        switch event.severity {
        case Event.severityInfo: info
        case Event.severityError: error
        default: throw .invalidSeverity(event.severity)
        }
    }
}

/// A Git repository address split into `scheme://host` and the repository id (reference §4.0 parseGitAddress).
struct GitAddress: Hashable {
    var host: String
    var id: String

    /// Accepts https, http, ssh (`ssh://git@host/owner/repo.git`) and scp-like (`git@host:owner/repo.git`) forms.
    /// Errors never repeat the address: it may come from a Secret and carry credentials.
    init(_ text: String) throws(ProviderError) {
        var scheme: String
        var hostPart: String
        var path: String
        if let address = WebAddress(text) {
            scheme = address.scheme
            hostPart = address.hostAndPort
            path = address.path
        } else if let colon = text.firstIndex(of: ":"), !text.contains("://") {
            // scp-like: [user@]host:path
            var authority = text[..<colon]
            if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
            scheme = "ssh"
            hostPart = String(authority)
            path = String(text[text.index(after: colon)...])
        } else {
            throw .invalidGitAddress("the address is not an http(s), ssh:// or scp-like (git@host:owner/repo) git URL")
        }
        guard !hostPart.isEmpty else { throw .invalidGitAddress("the address has no host") }
        if scheme == "ssh" { scheme = "https" }
        var id = Substring(path)
        while id.hasPrefix("/") { id = id.dropFirst() }
        if id.hasSuffix(".git") { id = id.dropLast(4) }
        host = "\(scheme)://\(hostPart)"
        self.id = String(id)
    }
}
