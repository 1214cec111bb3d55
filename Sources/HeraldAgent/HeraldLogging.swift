import Logging

/// How log lines are written: `console` for people, `json` for log pipelines.
public enum LogEncoding: String, Sendable, CaseIterable {
    case console
    case json
}

/// Herald's loggers: swift-log to standard error, one line per decision or failure.
public enum HeraldLogging {
    /// A logger at `level` writing `encoding` to standard error. Never pass Secret values as metadata.
    public static func logger(label: String = "herald", level: Logger.Level, encoding: LogEncoding = .console) -> Logger {
        var logger = Logger(label: label) { label in
            switch encoding {
            case .console: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
        }
        logger.logLevel = level
        return logger
    }
}
