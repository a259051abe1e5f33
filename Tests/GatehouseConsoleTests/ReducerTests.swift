import Foundation
@testable import GatehouseConsole
import GatehouseCore
import Testing

@Suite struct ReducerTests {
    func press(_ keys: [Key], _ state: inout ConsoleState) -> [ConsoleEffect] {
        keys.flatMap { ConsoleReducer.reduce(&state, .key($0)) }
    }

    @Test func viewsByNumberTabAndCommand() {
        var state = ConsoleFixtures.state
        _ = press([.char("3")], &state)
        #expect(state.view == .logs)
        _ = press([.tab, .tab], &state)
        #expect(state.view == .alarms)
        _ = press([.backTab], &state)
        #expect(state.view == .charts)
        _ = press([.char(":"), .char("t"), .char("h"), .char("r"), .tab, .enter], &state)
        #expect(state.view == .throttles)
        let effects = press([.char(":"), .char("t"), .char("h"), .char("e"), .char("m"), .char("e"), .char(" "),
                             .char("l"), .char("i"), .char("g"), .char("h"), .char("t"), .enter], &state)
        #expect(effects == [.switchTheme("light")])
        _ = press([.char(":"), .char("n"), .char("o"), .char("p"), .char("e"), .enter], &state)
        #expect(state.messageIsError)
        #expect(state.message?.contains(":nope") == true)
    }

    @Test func drillDownAndBackWithBreadcrumb() {
        var state = ConsoleFixtures.state
        _ = press([.char("j")], &state)
        let effects = press([.enter], &state)
        #expect(effects == [.reload])
        #expect(state.view == .charts)
        #expect(state.chartTarget == ChartTarget(apiId: "z9y8x7w6v5", stage: "dev"))
        #expect(state.breadcrumb == ["Overview", "Charts", "z9y8x7w6v5/dev"])
        _ = press([.escape], &state)
        #expect(state.view == .overview)
        _ = press([.char("q")], &state)
        #expect(state.quit)
    }

    @Test func logsFollowPauseAndNewCount() {
        var state = ConsoleFixtures.state
        _ = press([.char("3")], &state)
        #expect(state.logFollow)
        _ = press([.char("k")], &state)
        #expect(!state.logFollow, "moving up pauses the tail")
        let more = (41...45).map { LogEntry(id: Int64($0), record: ConsoleFixtures.record($0, status: 200)) }
        _ = ConsoleReducer.reduce(&state, .logsLoaded(more))
        #expect(state.logNewWhilePaused == 5)
        #expect(state.currentSelection == 38, "a paused tail keeps its place")
        #expect(state.logs.count == 40, "and its rows: new ones are counted, not added")
        // Following again asks for the newest rows afresh.
        #expect(press([.char("G")], &state) == [.loadLogTail])
        #expect(state.logFollow)
        #expect(state.logNewWhilePaused == 0)
        _ = ConsoleReducer.reduce(&state, .logsReplaced(state.logs + more, select: nil))
        #expect(state.currentSelection == 44)
        _ = press([.char("f")], &state)
        #expect(!state.logFollow)
        _ = press([.enter], &state)
        #expect(state.logDetail?.id == 45)
        _ = press([.escape], &state)
        #expect(state.logDetail == nil)
    }

    @Test func nextAndPreviousFailedCall() {
        var state = ConsoleFixtures.state
        _ = press([.char("3"), .char("g"), .char("n")], &state)
        #expect(state.currentSelection == 2, "row 2 is the first 404")
        #expect(!state.logFollow)
        _ = press([.char("n")], &state)
        #expect(state.currentSelection == 4)
        _ = press([.char("N")], &state)
        #expect(state.currentSelection == 2)
        // Nothing earlier among the rows held: the store is searched beyond the oldest of them.
        #expect(press([.char("N")], &state) == [.findFailedLog(from: state.logs[0].id, forward: false)])
    }

    @Test func liveFilterValidAndInvalid() {
        var state = ConsoleFixtures.state
        _ = press([.char("3"), .char("/")] + "status:5xx".map { Key.char($0) }, &state)
        #expect(state.filterEditing)
        #expect(ConsoleReducer.visibleLogs(state).allSatisfy { $0.record.status >= 500 })
        #expect(ConsoleReducer.visibleLogs(state).count == 8)
        _ = press([.enter], &state)
        #expect(!state.filterEditing)
        _ = press([.char("/"), .backspace] + " (".map { Key.char($0) }, &state)
        #expect(!state.filterIsValid)
        _ = press([.escape], &state)
        #expect(state.currentFilter == nil)
        #expect(ConsoleReducer.visibleLogs(state).count == 40)
    }

    @Test func keysAndPlansEditAPlanThrottleWithAReplayItsQuotaAndDisableAKey() {
        var state = ConsoleFixtures.state
        _ = press([.char("7")], &state)
        #expect(state.view == .keys)
        // On a key row, e says where plan edits happen; d asks before disabling.
        _ = press([.char("j")], &state)
        #expect(press([.char("e")], &state).isEmpty && state.form == nil)
        _ = press([.char("d")], &state)
        #expect(state.confirmation?.effect == .setKeyEnabled(keyId: "keyacme001", keyName: "acme-mobile", enabled: false))
        #expect(press([.char("y")], &state) == [.setKeyEnabled(keyId: "keyacme001", keyName: "acme-mobile", enabled: false)])
        // A disabled key: d enables it again.
        _ = press([.char("j"), .char("d")], &state)
        #expect(state.confirmation?.effect == .setKeyEnabled(keyId: "keyglobex1", keyName: "globex", enabled: true))
        _ = press([.char("n")], &state)
        // The plan row: e opens the rate/burst form seeded with the plan's limit and asks for the replay.
        _ = press([.char("g")], &state)
        #expect(press([.char("e")], &state) == [.previewPlanThrottle(planId: "plgold0001", limit: ThrottleLimit(rate: 100, burst: 200))])
        #expect(state.form?.title == "plan gold, per key")
        var effects = press([.ctrl("u")] + "50".map { Key.char($0) }, &state)
        #expect(effects.last == .previewPlanThrottle(planId: "plgold0001", limit: ThrottleLimit(rate: 50, burst: 200)))
        _ = ConsoleReducer.reduce(&state, .previewLoaded(limit: ThrottleLimit(rate: 50, burst: 200), rejected: 120, seconds: 3600))
        _ = press([.enter], &state)
        #expect(state.confirmation?.question.contains("would have rejected 120") == true, "\(state.confirmation?.question ?? "")")
        effects = press([.char("y")], &state)
        #expect(effects == [.savePlanThrottle(planId: "plgold0001", planName: "gold", limit: ThrottleLimit(rate: 50, burst: 200))])
        // E: the quota, with which keys are already past a new one.
        _ = press([.char("E")], &state)
        #expect(state.prompt?.text == "100000/month")
        _ = press([.ctrl("u")] + "95000/month".map { Key.char($0) } + [.enter], &state)
        #expect(state.confirmation?.question.contains("1 of its 2 keys are already at or past it") == true, "\(state.confirmation?.question ?? "")")
        #expect(press([.char("y")], &state) == [.savePlanQuota(planId: "plgold0001", planName: "gold", quota: QuotaSettings(limit: 95_000, period: .month))])
        _ = press([.char("E"), .ctrl("u")] + "lots".map { Key.char($0) } + [.enter], &state)
        #expect(state.messageIsError && state.prompt != nil, "a malformed quota is refused and the prompt stays")
        _ = press([.escape], &state)
        // The filter keeps a matching key's plan with it.
        _ = press([.char("/")] + "trial".map { Key.char($0) } + [.enter], &state)
        #expect(ConsoleReducer.visibleKeyPlans(state).map(\.identity) == ["plfree0001 ", "plfree0001 keytrial01"])
    }

    @Test func theLogFilterTakesAKeyId() {
        var state = ConsoleFixtures.state
        for index in state.logs.indices where index % 4 == 0 { state.logs[index].record.apiKeyId = "k1" }
        _ = press([.char("3"), .char("/")] + "key:k1 status:2xx".map { Key.char($0) }, &state)
        let visible = ConsoleReducer.visibleLogs(state)
        #expect(!visible.isEmpty)
        #expect(visible.allSatisfy { $0.record.apiKeyId == "k1" && $0.record.status < 300 })
        #expect(visible.count == state.logs.filter { $0.record.apiKeyId == "k1" && $0.record.status < 300 }.count)
    }

    @Test func throttleEditPreviewsConfirmsAndSaves() {
        var state = ConsoleFixtures.state
        _ = press([.char("6"), .char("j"), .char("j")], &state)
        var effects = press([.char("e")], &state)
        let key = "/pets/{petId}/GET"
        #expect(effects == [.previewThrottle(apiId: "a1b2c3d4e5", stage: "prod", methodKey: key, limit: ThrottleLimit(rate: 5, burst: 10))])
        effects = press([.backspace, .char("2")], &state)
        #expect(effects.last == .previewThrottle(apiId: "a1b2c3d4e5", stage: "prod", methodKey: key, limit: ThrottleLimit(rate: 2, burst: 10)))
        _ = ConsoleReducer.reduce(&state, .previewLoaded(limit: ThrottleLimit(rate: 2, burst: 10), rejected: 37))
        #expect(state.form?.preview == 37)
        _ = press([.enter], &state)
        #expect(state.confirmation?.question.contains("would have rejected 37") == true)
        effects = press([.char("y")], &state)
        #expect(effects == [.saveThrottle(apiId: "a1b2c3d4e5", stage: "prod", methodKey: key, limit: ThrottleLimit(rate: 2, burst: 10))])
        #expect(state.form == nil)
    }

    @Test func readOnlyRefusesWrites() {
        var state = ConsoleFixtures.state
        state.readOnly = true
        let effects = press([.char("6"), .char("e")], &state)
        #expect(effects.isEmpty)
        #expect(state.form == nil)
        #expect(state.message?.contains("read-only") == true)
        _ = press([.char("8"), .char("r")], &state)
        #expect(state.confirmation == nil)
    }

    @Test func rollbackAsksFirst() {
        var state = ConsoleFixtures.state
        _ = press([.char("8"), .char("j"), .char("r")], &state)
        #expect(state.confirmation?.effect == .rollback(apiId: "a1b2c3d4e5", stage: "prod", deploymentId: "dep0000001"))
        let effects = press([.char("n")], &state)
        #expect(effects.isEmpty)
        #expect(state.confirmation == nil)
    }

    @Test func sortCyclesColumnsAndReverses() {
        var state = ConsoleFixtures.state
        #expect(ConsoleReducer.visibleOverview(state).map(\.apiName) == ["PetStore", "Orders"])
        _ = press([.char("s")], &state)
        #expect(ConsoleReducer.sortCaption(state) == "sorted by req/s ↓")
        _ = press([.char("S")], &state)
        #expect(ConsoleReducer.visibleOverview(state).map(\.apiName) == ["Orders", "PetStore"])
        _ = press([.char("s"), .char("s"), .char("s"), .char("s"), .char("s")], &state)
        #expect(ConsoleReducer.sortCaption(state) == "sorted by name ↓")
        #expect(ConsoleReducer.visibleOverview(state).map(\.apiName) == ["Orders", "PetStore"])
        _ = press([.char("s")], &state)
        #expect(ConsoleReducer.sortCaption(state) == nil, "past the last key: natural order again")
        _ = press([.char("6"), .char("s")], &state)
        #expect(ConsoleReducer.visibleThrottles(state).first?.throttledPerSecond == 2.5)
    }

    @Test func windowAndFreeze() {
        var state = ConsoleFixtures.state
        #expect(press([.char("]")], &state) == [.reload])
        #expect(state.window == .m15)
        _ = press([.char("["), .char("["), .char("[")], &state)
        #expect(state.window == .m5)
        _ = press([.char("Z")], &state)
        #expect(state.frozen)
        var other = ConsoleFixtures.data
        other.overview = []
        _ = ConsoleReducer.reduce(&state, .dataLoaded(other))
        #expect(state.data.overview.count == 2, "frozen: updates are held")
        _ = press([.char("Z")], &state)
        _ = ConsoleReducer.reduce(&state, .dataLoaded(other))
        #expect(state.data.overview.isEmpty)
        #expect(press([.ctrl("c")], &state) == [.quit])
    }
}

@Suite struct AlarmKeysTests {
    func press(_ keys: [Key], _ state: inout ConsoleState) -> [ConsoleEffect] {
        keys.flatMap { ConsoleReducer.reduce(&state, .key($0)) }
    }

    @Test func acknowledgeWithANoteAfterConfirmation() {
        var state = ConsoleFixtures.state
        _ = press([.char("5")], &state)
        #expect(ConsoleReducer.visibleAlarms(state).first?.rule.name == "petstore-5xx", "unacknowledged ALARM first")
        _ = press([.char("a")] + "on it".map { Key.char($0) } + [.enter], &state)
        #expect(state.confirmation?.question == "Acknowledge petstore-5xx as alice: on it?")
        #expect(press([.char("y")], &state) == [.acknowledgeAlarm(name: "petstore-5xx", note: "on it")])
        // An OK alarm cannot be acknowledged.
        _ = press([.char("j"), .char("a")], &state)
        #expect(state.prompt == nil)
        #expect(state.messageIsError)
    }

    @Test func newAlarmFormValidatesLikeTheCli() {
        var state = ConsoleFixtures.state
        _ = press([.char("5"), .char("n")] + "slow".map { Key.char($0) }, &state)
        #expect(state.alarmForm?.fields[1].text == "a1b2c3d4e5")
        // Go to period (field 7) and make it 45.
        _ = press(Array(repeating: Key.tab, count: 7) + [.backspace, .backspace, .char("4"), .char("5"), .enter], &state)
        #expect(state.alarmForm?.problems.first?.contains("multiple of 60") == true)
        #expect(state.confirmation == nil)
        _ = press([.backspace, .backspace, .char("1"), .char("0"), .enter], &state)
        guard case .putAlarm(let rule)? = state.confirmation?.effect else {
            Issue.record("no confirmation for a valid rule")
            return
        }
        #expect(rule.name == "slow")
        #expect(rule.period == 10)
        #expect(rule.metric == .error5xx)
        #expect(press([.char("y")], &state) == [.putAlarm(rule)])
        #expect(state.alarmForm == nil)
    }

    @Test func deleteAsksFirst() {
        var state = ConsoleFixtures.state
        _ = press([.char("5"), .char("d")], &state)
        #expect(state.confirmation?.effect == .deleteAlarm(name: "petstore-5xx"))
    }
}

@Suite struct ThemeTests {
    static var themesDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Themes").path
    }

    @Test(arguments: ["default", "light", "mono"])
    func shippedThemesLoad(_ name: String) throws {
        let theme = try ThemeLoader.load(name, searchPaths: [Self.themesDirectory])
        #expect(theme.name == name)
        #expect(theme.usesColor == (name != "mono"))
        #expect(theme.style(.selected) != ThemeStyle())
    }

    @Test(arguments: ["default", "light", "mono"])
    func theBuiltInThemesAreTheShippedFiles(_ name: String) throws {
        let file = try String(contentsOfFile: "\(Self.themesDirectory)/\(name).yaml", encoding: .utf8)
        #expect(ThemeLoader.builtIn[name] == file)
        let theme = try ThemeLoader.load(name, searchPaths: [])
        #expect(theme.name == name, "found with no Themes folder anywhere")
    }

    @Test func aFileOverridesTheBuiltInThemeAndABrokenOneFallsBackWithANotice() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("themes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "name: light\nroles:\n  title: {fg: red, bold: true}\n".write(to: dir.appendingPathComponent("light.yaml"), atomically: true, encoding: .utf8)
        let overridden = try ThemeLoader.load("light", searchPaths: [dir.path])
        let builtInLight = try ThemeLoader.load("light", searchPaths: [])
        #expect(overridden.style(.title).bold && overridden != builtInLight)
        try "name: default\nroles:\n  titel: red\n".write(to: dir.appendingPathComponent("default.yaml"), atomically: true, encoding: .utf8)
        let (theme, notice) = ThemeLoader.resolve("default", searchPaths: [dir.path])
        let builtInDefault = try ThemeLoader.load("default", searchPaths: [])
        #expect(theme == builtInDefault, "the built-in default")
        #expect(notice?.contains("default.yaml line 3, 'titel'") == true, "\(notice ?? "")")
        #expect(notice?.hasSuffix("using the built-in default theme") == true)
    }

    @Test func brokenThemeNamesKeyAndLine() {
        let text = "name: x\nroles:\n  title: {fg: red}\n  titel: blue\n"
        #expect {
            try ThemeLoader.parse(text, file: "x.yaml")
        } throws: { error in
            "\(error)".hasPrefix("x.yaml line 4, 'titel': not a colour role")
        }
        #expect {
            try ThemeLoader.parse("roles:\n  ok: {fg: chartreuse}\n", file: "y.yaml")
        } throws: { error in
            "\(error)".contains("line 2") && "\(error)".contains("'ok.fg'") && "\(error)".contains("chartreuse")
        }
        #expect(throws: ThemeError.self) { try ThemeLoader.parse("roles: [unclosed", file: "z.yaml") }
    }

    @Test func colours() {
        #expect(ThemeColor("default") == .terminalDefault)
        #expect(ThemeColor("red") == .index(1))
        #expect(ThemeColor("bright-blue") == .index(12))
        #expect(ThemeColor("214") == .index(214))
        #expect(ThemeColor("#ff0000") == .index(196))
        #expect(ThemeColor("#ff0000")?.basic == .index(1))
        #expect(ThemeColor("300") == nil)
    }
}

/// Results of writes: "saving…" while under way, then a message that stays until esc, kept for `:messages`.
@Suite struct WriteResultTests {
    @Test func aResultStaysUntilDismissedAndAHintDoesNot() {
        var state = ConsoleState()
        _ = ConsoleReducer.reduce(&state, .effectStarted("saved"))
        #expect(state.saving == ["saved"])
        _ = ConsoleReducer.reduce(&state, .effectFailed("not saved: the store is locked", started: "saved"))
        #expect(state.saving.isEmpty)
        _ = ConsoleReducer.reduce(&state, .key(.char("2")))
        _ = ConsoleReducer.reduce(&state, .key(.char("j")))
        #expect(state.view == .apis)
        #expect(state.message == "not saved: the store is locked" && state.messageIsError, "it survives other keys")
        _ = ConsoleReducer.reduce(&state, .key(.escape))
        #expect(state.message == nil)
        #expect(state.messageLog.map(\.text) == ["not saved: the store is locked"])

        for c in ":nonsense" { _ = ConsoleReducer.reduce(&state, .key(.char(c))) }
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        #expect(state.message?.hasPrefix("unknown command") == true)
        _ = ConsoleReducer.reduce(&state, .key(.char("1")))
        #expect(state.message == nil, "a hint goes with the next key")

        for c in ":messages" { _ = ConsoleReducer.reduce(&state, .key(.char(c))) }
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        #expect(state.showMessages)
        let screen = ConsoleRenderer.render(state, width: 80, height: 24).lines.joined(separator: "\n")
        #expect(screen.contains("Messages (newest first)") && screen.contains("not saved: the store is locked"))
    }
}

/// Keys that would do nothing either work or say why; the command line completes and clears like a shell's.
@Suite struct SmallKeyTests {
    func press(_ keys: [Key], _ state: inout ConsoleState) {
        for key in keys { _ = ConsoleReducer.reduce(&state, .key(key)) }
    }

    @Test func gWhileFollowingPausesAndGoesToTheTop() {
        var state = ConsoleFixtures.state
        state.view = .logs
        state.logFollow = true
        state.selection[.logs] = 10
        press([.char("g")], &state)
        #expect(state.currentSelection == 0)
        #expect(!state.logFollow)
        #expect(state.message?.contains("paused following") == true)
        _ = ConsoleReducer.reduce(&state, .logsLoaded(ConsoleFixtures.logs.suffix(1).map { var e = $0; e.id += 1000; return e }))
        #expect(state.currentSelection == 0, "new rows do not pull it back")
    }

    @Test func sortingWhereNothingSortsSaysSo() {
        var state = ConsoleFixtures.state
        state.view = .charts
        press([.char("s")], &state)
        #expect(state.message == "nothing sorts in Charts: it has no table")
    }

    @Test func tabCyclesCompletionsAndCtrlUClears() {
        var state = ConsoleState()
        press([.char(":"), .char("t"), .char("h")], &state)
        var seen: [String] = []
        for _ in 0..<5 {
            press([.tab], &state)
            seen.append(state.command ?? "")
        }
        #expect(seen == ["throttles", "theme default", "theme light", "theme mono", "throttles"])
        press([.ctrl("u")], &state)
        #expect(state.command == "")
        press([.char("a"), .char("u"), .tab], &state)
        #expect(state.command == "audit", "one match completes at once")
    }

    @Test func theThrottleFormStartsFromTheLimitInForce() {
        var state = ConsoleFixtures.state
        state.view = .apis
        let rows = ConsoleReducer.visibleMethods(state)
        let index = rows.firstIndex { $0.throttleScope != .stageMethod }
        #expect(index != nil, "a method without its own throttle")
        state.selection[.apis] = index ?? 0
        let inForce = rows[index ?? 0].throttle
        _ = ConsoleReducer.reduce(&state, .key(.char("e")))
        #expect(state.form?.before == nil, "no setting of its own")
        #expect(state.form?.limit == inForce, "pre-filled with \(inForce), the limit that applies now")
    }

    @Test func theConfirmationFitsAt80ColumnsWithNothingCut() {
        var state = ConsoleFixtures.state
        let question = "Set the throttle of a1b2c3d4e5/prod GET /pets/{petId} to 1000 rps / burst 2000 (was 5 rps / burst 10)?"
        state.confirmation = Confirmation(question: question, effect: .reload)
        let screen = ConsoleRenderer.render(state, width: 80, height: 24).lines.joined(separator: " ")
        let words = screen.split(separator: " ").map(String.init)
        for word in question.split(separator: " ") { #expect(words.contains { $0.contains(word) }, "'\(word)' is on screen") }
        #expect(screen.contains("y: yes"))
    }
}

/// `r` in Deploys asks which stage when the API has several, starting on the one you came from.
@Suite struct RollbackStageTests {
    func state(withCanary: Bool) -> ConsoleState {
        var state = ConsoleFixtures.state
        if withCanary {
            var canary = state.data.overview[0]
            canary.stage = "canary"
            state.data.overview.append(canary)
        }
        state.view = .deployments
        state.selection[.deployments] = ConsoleReducer.visibleDeployments(state).firstIndex { $0.id == "dep0000001" } ?? 0
        return state
    }

    @Test func withACanaryStageProdCanStillBeRolledBack() {
        var state = state(withCanary: true)
        state.chartTarget = ChartTarget(apiId: "a1b2c3d4e5", stage: "prod")
        _ = ConsoleReducer.reduce(&state, .key(.char("r")))
        #expect(state.stageChoice?.stages == ["canary", "prod"])
        #expect(state.stageChoice.map { $0.stages[$0.selected] } == "prod", "the stage you came from")
        let screen = ConsoleRenderer.render(state, width: 80, height: 24).lines.joined(separator: "\n")
        #expect(screen.contains("Roll back which stage?") && screen.contains("canary") && screen.contains("prod"))
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        #expect(state.confirmation?.effect == .rollback(apiId: "a1b2c3d4e5", stage: "prod", deploymentId: "dep0000001"))

        var other = self.state(withCanary: true)
        _ = ConsoleReducer.reduce(&other, .key(.char("r")))
        _ = ConsoleReducer.reduce(&other, .key(.char("j")))
        _ = ConsoleReducer.reduce(&other, .key(.enter))
        #expect(other.confirmation?.effect == .rollback(apiId: "a1b2c3d4e5", stage: "prod", deploymentId: "dep0000001"),
                "from canary (the first not serving it) one down is prod")
    }

    @Test func oneStageGoesStraightToTheConfirmation() {
        var state = state(withCanary: false)
        _ = ConsoleReducer.reduce(&state, .key(.char("r")))
        #expect(state.stageChoice == nil)
        #expect(state.confirmation?.effect == .rollback(apiId: "a1b2c3d4e5", stage: "prod", deploymentId: "dep0000001"))
    }
}

/// Enter describes the selected row of Audit, Alarms, Throttles and Deploys, every value whole at 80×24.
@Suite struct DescribeTests {
    func screen(_ state: ConsoleState) -> String {
        ConsoleRenderer.render(state, width: 80, height: 24).lines.joined(separator: "\n")
    }

    @Test func anAuditEntryShowsItsWholeBeforeAndAfter() {
        var state = ConsoleFixtures.state
        let longAfter = "deployment dep0000002 with variables backend=10.0.0.12:8080 region=eu-central-1 tier=gold owner=payments-team"
        state.data.audit[0].after = longAfter
        state.view = .audit
        state.selection[.audit] = 0
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        let text = screen(state)
        #expect(text.contains("audit entry 2"))
        // Every piece of the long value is on screen (wrapped, not cut).
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        for piece in longAfter.split(separator: " ") { #expect(flat.contains(piece), "'\(piece)' shown") }
        #expect(text.contains("10 rps / burst 10"))
        _ = ConsoleReducer.reduce(&state, .key(.escape))
        #expect(state.description == nil)
    }

    @Test func anAlarmShowsItsWholeReasonAndHistory() {
        var state = ConsoleFixtures.state
        state.view = .alarms
        state.selection[.alarms] = ConsoleReducer.visibleAlarms(state).firstIndex { $0.rule.name == "petstore-5xx" } ?? 0
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        let text = screen(state).replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("alarm petstore-5xx"))
        #expect(text.contains("StateUpdate OK → ALARM"), "the history")
        #expect(text.contains("threshold (5)"), "the end of a long reason is there too")
    }

    @Test func throttlesAndDeploymentsDescribeToo() {
        var state = ConsoleFixtures.state
        state.view = .throttles
        state.selection[.throttles] = 2
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        #expect(screen(state).contains("GET /pets/{petId}"))
        _ = ConsoleReducer.reduce(&state, .key(.escape))
        state.view = .deployments
        state.selection[.deployments] = 0
        _ = ConsoleReducer.reduce(&state, .key(.enter))
        #expect(screen(state).contains("deployment dep0000002") && screen(state).contains("served by"))
    }
}

/// The console's number formatting agrees with printf's `%.Nf`, which it replaced on the refresh path (but
/// never shows "-0").
@Suite struct FormatTests {
    @Test func fixedPrintsWhatPrintfPrints() {
        var generator = SystemRandomNumberGenerator()
        let values = [0, 0.004, 0.005, 0.015, 0.125, 1.25, 2.5, 9.995, 99.95, 1234.5678, 1e9 + 0.25, -3.14159, -0.0004]
            + (0..<5_000).map { _ in Double.random(in: 0..<100_000, using: &generator) / [1, 10, 1000][Int.random(in: 0..<3, using: &generator)] }
        for value in values {
            for decimals in 0...2 {
                let scaled = abs(value) * [1.0, 10, 100][decimals]
                // Values a hair from a rounding boundary may round either way through the multiplication.
                if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-6 { continue }
                if value < 0 && scaled.rounded() == 0 {
                    #expect(!Format.fixed(value, decimals).hasPrefix("-"), "no -0 on screen")
                    continue
                }
                #expect(Format.fixed(value, decimals) == String(format: "%.\(decimals)f", value), "\(value) with \(decimals) decimals")
            }
        }
    }
}
