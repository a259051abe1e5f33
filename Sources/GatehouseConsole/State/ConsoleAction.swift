import GatehouseCore

/// What can happen to the console: a key, or data arriving from the store, or an effect's outcome.
public enum ConsoleAction: Sendable {
    case key(Key)
    case dataLoaded(ConsoleData)
    case logsLoaded([LogEntry])
    case previewLoaded(limit: ThrottleLimit, rejected: Int, seconds: Int? = nil)
    /// A write started off the UI loop (`label` is what it saves).
    case effectStarted(String)
    /// A write (or another effect) finished: its result, which stays until dismissed.
    case effectSucceeded(String, started: String? = nil)
    case effectFailed(String, started: String? = nil)
    case storeProblem(String?)
}

/// Work the reducer asks the app loop to do (the only place that writes the store).
public enum ConsoleEffect: Sendable, Equatable {
    case reload
    case previewThrottle(apiId: String, stage: String, methodKey: String, limit: ThrottleLimit)
    case saveThrottle(apiId: String, stage: String, methodKey: String, limit: ThrottleLimit)
    case rollback(apiId: String, stage: String, deploymentId: String)
    case putAlarm(AlarmRule)
    case acknowledgeAlarm(name: String, note: String?)
    case deleteAlarm(name: String)
    case switchTheme(String)
    case quit
}
