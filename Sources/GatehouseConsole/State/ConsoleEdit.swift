/// A create, update or delete of an API, resource, method or stage typed on the console's command line
/// (`:api create NAME`, `:method create API GET /path mock`, `:stage var API STAGE name=value -old` …): the
/// same changes the CLI and the management API make, each confirmed before it is written.
public enum ConsoleEdit: Sendable, Equatable {
    case createApi(name: String)
    case renameApi(apiId: String, name: String)
    case deleteApi(apiId: String)
    case createResource(apiId: String, path: String)
    case deleteResource(apiId: String, path: String)
    /// `target` is `mock` or an http(s) URL (an HTTP_PROXY integration).
    case createMethod(apiId: String, verb: String, path: String, target: String)
    case deleteMethod(apiId: String, verb: String, path: String)
    case deploy(apiId: String, stage: String)
    case createStage(apiId: String, stage: String, deploymentId: String)
    case deleteStage(apiId: String, stage: String)
    case setStageVariables(apiId: String, stage: String, set: [String: String], unset: [String])

    /// The command-line forms, for `?` and completion.
    public static let usage: [String] = [
        "api create NAME", "api rename API NAME", "api delete API",
        "resource create API /path", "resource delete API /path",
        "method create API VERB /path mock|URL", "method delete API VERB /path",
        "deploy API STAGE", "stage create API STAGE DEPLOYMENT", "stage delete API STAGE",
        "stage var API STAGE name=value … -name …",
    ]

    /// The edit a command line asks for; nil when it is not an edit command, an error saying how to write it
    /// when it is one written wrong.
    public static func parse(_ command: String) -> Result<ConsoleEdit, EditSyntaxError>? {
        let words = command.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard words.count >= 2 || words.first == "deploy" else { return nil }
        func fail(_ form: String) -> Result<ConsoleEdit, EditSyntaxError> { .failure(EditSyntaxError(message: "write it :\(form)")) }
        func path(_ text: String) -> Bool { text.hasPrefix("/") }
        let verbs: Set<String> = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"]
        switch (words[0], words.count > 1 ? words[1] : "") {
        case ("api", "create"):
            guard words.count >= 3 else { return fail("api create NAME") }
            return .success(.createApi(name: words[2...].joined(separator: " ")))
        case ("api", "rename"):
            guard words.count >= 4 else { return fail("api rename API NAME") }
            return .success(.renameApi(apiId: words[2], name: words[3...].joined(separator: " ")))
        case ("api", "delete"):
            guard words.count == 3 else { return fail("api delete API") }
            return .success(.deleteApi(apiId: words[2]))
        case ("resource", "create"), ("resource", "delete"):
            guard words.count == 4, path(words[3]) else { return fail("resource \(words[1]) API /path") }
            return .success(words[1] == "create" ? .createResource(apiId: words[2], path: words[3]) : .deleteResource(apiId: words[2], path: words[3]))
        case ("method", "create"):
            guard words.count == 6, verbs.contains(words[3].uppercased()), path(words[4]),
                  words[5] == "mock" || words[5].hasPrefix("http://") || words[5].hasPrefix("https://") else {
                return fail("method create API VERB /path mock|http://backend/path")
            }
            return .success(.createMethod(apiId: words[2], verb: words[3].uppercased(), path: words[4], target: words[5]))
        case ("method", "delete"):
            guard words.count == 5, verbs.contains(words[3].uppercased()), path(words[4]) else { return fail("method delete API VERB /path") }
            return .success(.deleteMethod(apiId: words[2], verb: words[3].uppercased(), path: words[4]))
        case ("deploy", _):
            guard words.count == 3 else { return fail("deploy API STAGE") }
            return .success(.deploy(apiId: words[1], stage: words[2]))
        case ("stage", "create"):
            guard words.count == 5 else { return fail("stage create API STAGE DEPLOYMENT") }
            return .success(.createStage(apiId: words[2], stage: words[3], deploymentId: words[4]))
        case ("stage", "delete"):
            guard words.count == 4 else { return fail("stage delete API STAGE") }
            return .success(.deleteStage(apiId: words[2], stage: words[3]))
        case ("stage", "var"):
            guard words.count >= 5 else { return fail("stage var API STAGE name=value … -name …") }
            var set: [String: String] = [:], unset: [String] = []
            for word in words[4...] {
                if word.hasPrefix("-"), word.count > 1 {
                    unset.append(String(word.dropFirst()))
                } else if let equals = word.firstIndex(of: "="), equals != word.startIndex {
                    set[String(word[..<equals])] = String(word[word.index(after: equals)...])
                } else {
                    return fail("stage var API STAGE name=value … -name … ('\(word)' is neither)")
                }
            }
            return .success(.setStageVariables(apiId: words[2], stage: words[3], set: set, unset: unset))
        default:
            return nil
        }
    }

    /// The confirmation question.
    public var question: String {
        switch self {
        case .createApi(let name): return "Create API \"\(name)\"?"
        case .renameApi(let api, let name): return "Rename API \(api) to \"\(name)\"?"
        case .deleteApi(let api): return "Delete API \(api) with all its stages and deployments?"
        case .createResource(let api, let path): return "Create resource \(path) in API \(api) (served after the next deploy)?"
        case .deleteResource(let api, let path): return "Delete resource \(path) and everything under it from API \(api) (after the next deploy)?"
        case .createMethod(let api, let verb, let path, let target):
            return "Create \(verb) \(path) in API \(api) → \(target == "mock" ? "MOCK 200" : "HTTP_PROXY \(target)") (served after the next deploy)?"
        case .deleteMethod(let api, let verb, let path): return "Delete \(verb) \(path) from API \(api) (after the next deploy)?"
        case .deploy(let api, let stage): return "Deploy API \(api)'s draft to stage \(stage)?"
        case .createStage(let api, let stage, let deployment): return "Create stage \(stage) of API \(api) on deployment \(deployment)?"
        case .deleteStage(let api, let stage): return "Delete stage \(stage) of API \(api) (its callers get 403)?"
        case .setStageVariables(let api, let stage, let set, let unset):
            let parts = set.keys.sorted().map { "\($0)=\(set[$0] ?? "")" } + unset.map { "remove \($0)" }
            return "Stage \(stage) of API \(api): \(parts.joined(separator: ", ")) (live within a second)?"
        }
    }

    /// What the result line says once it is written.
    public var done: String {
        switch self {
        case .createApi(let name): return "API \"\(name)\" created"
        case .renameApi(let api, let name): return "API \(api) renamed \"\(name)\""
        case .deleteApi(let api): return "API \(api) deleted"
        case .createResource(let api, let path): return "\(path) created in \(api) (deploy to serve it)"
        case .deleteResource(let api, let path): return "\(path) deleted from \(api) (deploy to serve it)"
        case .createMethod(let api, let verb, let path, _): return "\(verb) \(path) created in \(api) (deploy to serve it)"
        case .deleteMethod(let api, let verb, let path): return "\(verb) \(path) deleted from \(api) (deploy to serve it)"
        case .deploy(let api, let stage): return "API \(api) deployed to \(stage)"
        case .createStage(let api, let stage, _): return "stage \(stage) of \(api) created"
        case .deleteStage(let api, let stage): return "stage \(stage) of \(api) deleted"
        case .setStageVariables(let api, let stage, _, _): return "stage \(stage) of \(api): variables saved"
        }
    }
}

/// A console edit command written wrong: how to write it.
public struct EditSyntaxError: Error, Sendable, Equatable {
    public let message: String
}
