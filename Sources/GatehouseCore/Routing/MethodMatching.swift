/// Which declared method answers a verb: the verb's own, else `ANY`, which takes every verb the resource does
/// not declare. One rule for the router and for everything that attributes calls to methods (the console's
/// counts, throttle previews), so they never disagree.
extension Resource {
    /// The verb as declared here that answers `verb` (`verb` itself or `ANY`), or nil when none does.
    public func declaredVerb(answering verb: String) -> String? {
        if resourceMethods[verb] != nil { return verb }
        return resourceMethods["ANY"] != nil ? "ANY" : nil
    }

    /// The method that answers `verb`.
    public func method(answering verb: String) -> Method? {
        declaredVerb(answering: verb).flatMap { resourceMethods[$0] }
    }
}

extension ApiDefinition {
    /// The `methodSettings` key (`/pets/GET`, `/pets/ANY`) of the method that answered a call of `verb` on the
    /// resource at `resourcePath`, or nil when the definition has no such method.
    public func settingsKey(resourcePath: String, verb: String) -> String? {
        guard let resource = resources.first(where: { $0.path == resourcePath }),
              let declared = resource.declaredVerb(answering: verb) else { return nil }
        return Stage.methodSettingsKey(resourcePath: resourcePath, httpMethod: declared)
    }
}
