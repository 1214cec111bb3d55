import Logging

/// Herald's loggers: swift-log to standard error, one line per decision or failure.
public enum HeraldLogging {
    /// A logger at `level` that writes to standard error. Never pass Secret values as metadata.
    public static func logger(label: String = "herald", level: Logger.Level) -> Logger {
        var logger = Logger(label: label) { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = level
        return logger
    }
}
