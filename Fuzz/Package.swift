// swift-tools-version: 6.1
// libFuzzer targets for the parts that read untrusted input. Not part of the main build: `scripts/fuzz`
// builds them with `--sanitize=fuzzer --sanitize=address` into its own scratch path and runs each for a
// bounded time. Every crash found becomes a regression test in the main package.
import PackageDescription

let package = Package(
    name: "GatehouseFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Gatehouse", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "FuzzOpenAPI", dependencies: [.product(name: "GatehouseCore", package: "Gatehouse")]),
        .executableTarget(name: "FuzzRouter", dependencies: [.product(name: "GatehouseCore", package: "Gatehouse")]),
        .executableTarget(name: "FuzzAccessLogFormat", dependencies: [.product(name: "GatehouseCore", package: "Gatehouse")]),
        .executableTarget(name: "FuzzParsers", dependencies: [
            .product(name: "GatehouseGateway", package: "Gatehouse"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .executableTarget(name: "FuzzRequestHead", dependencies: [
            .product(name: "GatehouseGateway", package: "Gatehouse"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
