/// Go duration strings as the Flux CRDs spell them (`15s`, `1m30s`, `1.5m`, `500ms`, `2h`).
public enum GoDuration {
    /// Parses a duration of the CRD pattern `^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`; `allowHours` false drops `h`.
    public static func parse(_ text: String, allowHours: Bool = true) -> Duration? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var index = 0
        var total: Double = 0
        while index < bytes.count {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start else { return nil }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                let fractionStart = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                guard index > fractionStart else { return nil }
            }
            guard let number = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            let unit: Double
            if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "m"), bytes[index + 1] == UInt8(ascii: "s") {
                unit = 0.001
                index += 2
            } else if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "s"): unit = 1
                case UInt8(ascii: "m"): unit = 60
                case UInt8(ascii: "h") where allowHours: unit = 3600
                default: return nil
                }
                index += 1
            } else {
                return nil
            }
            total += number * unit
        }
        guard total.isFinite, total < 1e12 else { return nil }
        return .milliseconds(Int64((total * 1000).rounded()))
    }
}
