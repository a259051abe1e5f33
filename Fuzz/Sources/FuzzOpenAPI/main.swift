import GatehouseCore

/// Any bytes as an OpenAPI document: the importer must answer with a result or an error, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOpenAPI(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    if let result = try? OpenAPIImporter.parse(text, apiId: "fuzz") {
        // What imports must export and import again.
        for format in OpenAPIExporter.Format.allCases {
            let document = OpenAPIExporter.document(result.definition, stageName: nil, format: format)
            _ = try? OpenAPIImporter.parse(document.json(), apiId: "fuzz")
            if let yaml = try? document.yaml() { _ = try? OpenAPIImporter.parse(yaml, apiId: "fuzz") }
        }
    }
    return 0
}
