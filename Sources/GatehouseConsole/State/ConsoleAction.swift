import GatehouseCore

/// What can happen to the console: a key, or data arriving from the store, or an effect's outcome.
public enum ConsoleAction: Sendable {
    case key(Key)
    case dataLoaded(ConsoleData)
    case logsLoaded([LogEntry])
    /// This many rows were logged and not read (Logs paused, frozen or not on screen).
    case logsArrived(Int)
    /// The rows on screen replaced: the newest (following again), or a page around a found row (`select`).
    case logsReplaced([LogEntry], select: Int64?)
    /// A page of rows older than those on screen (empty: none older is kept).
    case olderLogsLoaded([LogEntry])
    case previewLoaded(limit: ThrottleLimit, rejected: Int, seconds: Int? = nil)
    /// A write started off the UI loop (`label` is what it saves).
    case effectStarted(String)
    /// A write (or another effect) finished: its result, which stays until dismissed.
    case effectSucceeded(String, started: String? = nil)
    case effectFailed(String, started: String? = nil)
    case storeProblem(String?)
    /// A passing note on the message line (the next key clears it).
    case notice(String)
}

/// Work the reducer asks the app loop to do (the only place that writes the store).
public enum ConsoleEffect: Sendable, Equatable {
    case reload
    /// Load the newest log rows afresh (following again after a pause).
    case loadLogTail
    /// Load the page of log rows before this id.
    case loadOlderLogs(before: Int64)
    /// Find the next (or previous) failed call in the store beyond this id and show the rows around it.
    case findFailedLog(from: Int64, forward: Bool)
    case previewThrottle(apiId: String, stage: String, methodKey: String, limit: ThrottleLimit)
    case saveThrottle(apiId: String, stage: String, methodKey: String, limit: ThrottleLimit)
    /// A plan's per-key throttle: replay each of its keys' last hour through the new limit, or save it.
    case previewPlanThrottle(planId: String, limit: ThrottleLimit)
    case savePlanThrottle(planId: String, planName: String, limit: ThrottleLimit)
    /// A plan's quota (nil removes it).
    case savePlanQuota(planId: String, planName: String, quota: QuotaSettings?)
    case setKeyEnabled(keyId: String, keyName: String, enabled: Bool)
    case rollback(apiId: String, stage: String, deploymentId: String)
    /// A create, update or delete typed on the command line (confirmed first).
    case edit(ConsoleEdit)
    case putAlarm(AlarmRule)
    case acknowledgeAlarm(name: String, note: String?)
    case deleteAlarm(name: String)
    case switchTheme(String)
    case quit
}
