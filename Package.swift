// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Gatehouse",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gatehouse", targets: ["gatehouse"]),
        // For the fuzz targets in Fuzz/ (a package of their own, built with sanitizers).
        .library(name: "GatehouseCore", targets: ["GatehouseCore"]),
        .library(name: "GatehouseGateway", targets: ["GatehouseGateway"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0", traits: []),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "GatehouseCore",
            dependencies: [
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                .product(name: "Yams", package: "Yams"),
                // SigV4's HMAC and hashes, shared by the data plane's AWS_IAM check and the management API.
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "GatehouseStore",
            dependencies: [
                "GatehouseCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .target(
            name: "GatehouseGateway",
            dependencies: [
                "GatehouseCore",
                "GatehouseStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw"),
        .target(
            name: "GatehouseConsole",
            dependencies: [
                "GatehouseCore",
                "GatehouseStore",
                .product(name: "Yams", package: "Yams"),
            ],
            // The bundled themes (links to Themes/) are compiled into the binary, so the console has its colours
            // wherever the executable is copied.
            resources: [.embedInCode("Resources/default.yaml"), .embedInCode("Resources/light.yaml"), .embedInCode("Resources/mono.yaml")]
        ),
        .target(
            name: "GatehouseTerminal",
            dependencies: ["GatehouseConsole", "CNcursesw"]
        ),
        // The management API (AWS apigateway REST-JSON over the store, SigV4); the worker's admin listener serves it.
        .target(
            name: "GatehouseAdmin",
            dependencies: ["GatehouseCore", "GatehouseStore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "GatehouseDemo",
            dependencies: [
                "GatehouseCore",
                "GatehouseStore",
                "GatehouseGateway",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .executableTarget(
            name: "gatehouse",
            dependencies: [
                "GatehouseCore",
                "GatehouseStore",
                "GatehouseGateway",
                "GatehouseAdmin",
                "GatehouseDemo",
                "GatehouseConsole",
                "GatehouseTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "GatehouseCoreTests", dependencies: ["GatehouseCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "GatehouseStoreTests", dependencies: ["GatehouseStore"]),
        .testTarget(
            name: "GatehouseConsoleTests",
            dependencies: ["GatehouseConsole", "GatehouseStore", "GatehouseCore", .product(name: "GRDB", package: "GRDB.swift")],
            exclude: ["Snapshots"]
        ),
        .testTarget(
            name: "GatehouseGatewayTests",
            dependencies: [
                "GatehouseGateway",
                "GatehouseAdmin",
                "GatehouseDemo",
                "GatehouseStore",
                "GatehouseCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
