import ArgumentParser
import Foundation
import GatehouseCore
import GatehouseStore

/// `gatehouse usage`: each key's calls per day under a plan, with the quota remaining (AWS `GetUsage`), as a
/// table or CSV for billing.
struct UsageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Calls per key per day under a usage plan, with the quota remaining after each day (AWS GetUsage).")

    @OptionGroup var storeOptions: StoreOptions
    @Option(help: "The plan's id.") var plan: String
    @Option(help: "Only this key.") var key: String?
    @Option(help: "First day, YYYY-MM-DD (UTC).") var from: String
    @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive.") var to: String
    @Flag(help: "CSV with a header row: key_id,key_name,day,used,remaining.") var csv = false

    func validate() throws {
        guard let first = UsageDay.date(from) else { throw ValidationError("--from is a day as YYYY-MM-DD, got '\(from)'") }
        guard let last = UsageDay.date(to) else { throw ValidationError("--to is a day as YYYY-MM-DD, got '\(to)'") }
        if last < first { throw ValidationError("--to (\(to)) is before --from (\(from))") }
        if last.timeIntervalSince(first) > 366 * 86_400 { throw ValidationError("at most 366 days at a time") }
    }

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(.readOnly)
            let plan = try store.usagePlan(id: plan)
            guard let first = UsageDay.date(from), let last = UsageDay.date(to) else { return }
            var keys = try store.planKeys(planId: plan.id).map { ($0.id, $0.name) }
            // The period holding the first day started earlier: its calls count against what remains.
            let since = plan.quota.map { UsageDay.string($0.period.start(containing: first)) } ?? from
            let rows = try store.keyUsage(fromDay: since, toDay: to, planId: plan.id, keyId: key)
            for id in Set(rows.map(\.keyId)) where !keys.contains(where: { $0.0 == id }) {
                keys.append((id, (try? store.apiKey(id: id).name) ?? "(deleted)"))
            }
            if let key { keys = keys.filter { $0.0 == key } }
            if let key, keys.isEmpty { keys = [(key, (try? store.apiKey(id: key).name) ?? "(not on the plan)")] }
            var used: [String: Int] = [:]
            for row in rows { used[row.keyId + " " + row.day] = row.used }
            if csv { print("key_id,key_name,day,used,remaining") } else {
                print("plan \(plan.id) (\(plan.name)), quota \(plan.quota?.description ?? "none"), \(from) to \(to) UTC")
                print(pad("KEY", 12) + pad("NAME", 20) + pad("DAY", 12) + pad("USED", 10) + "REMAINING")
            }
            for (id, name) in keys.sorted(by: { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }) {
                var day = first
                while day <= last {
                    let text = UsageDay.string(day)
                    let count = used[id + " " + text] ?? 0
                    var remaining = ""
                    if let quota = plan.quota, let limit = plan.quotaLimit(at: day) {
                        // Calls from the period's first day through this one.
                        var inPeriod = 0
                        var cursor = quota.period.start(containing: day)
                        while cursor <= day {
                            inPeriod += used[id + " " + UsageDay.string(cursor)] ?? 0
                            cursor = cursor.addingTimeInterval(86_400)
                        }
                        remaining = String(max(0, limit - inPeriod))
                    }
                    if csv {
                        print([id, csvField(name), text, String(count), remaining].joined(separator: ","))
                    } else {
                        print(pad(id, 12) + pad(name, 20) + pad(text, 12) + pad(String(count), 10) + (remaining.isEmpty ? "-" : remaining))
                    }
                    day = day.addingTimeInterval(86_400)
                }
            }
        }
    }
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
func csvField(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
