import HeraldCore
import Synchronization

/// A Provider Secret's values, handed out one key at a time.
///
/// Every value it returns is remembered for masking, so a notifier that reads `privateKey` or
/// `creds` cannot forget to register it: whatever a notifier can see, no error or log line shows.
public final class SecretAccess: Sendable {
    private let values: [String: String]
    private let exposed = Mutex<[String]>([])

    init(_ values: [String: String]) {
        self.values = values
    }

    /// The key's value, or `nil` when the Secret has no such key.
    public func value(_ key: String) -> String? {
        guard let value = values[key] else { return nil }
        if !value.isEmpty { exposed.withLock { $0.append(value) } }
        return value
    }

    /// Whether the Secret has the key; reads no value.
    public func contains(_ key: String) -> Bool { values[key] != nil }

    /// Every non-empty value returned so far.
    var exposedValues: [String] { exposed.withLock { $0 } }
}
