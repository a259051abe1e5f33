// swift-tools-version: 6.1
import PackageDescription

// A bare SwiftNIO HTTP/1.1 reverse proxy and responder, with the swift-nio version the worker uses: the floor of
// what NIO's standard HTTP stack costs per call on the machine, measured beside nginx and Gatehouse by
// `scripts/bench --nio-floor`. Not part of the product; its own package so CI never builds it.
let package = Package(
    name: "nio-floor",
    dependencies: [.package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2")],
    targets: [
        .executableTarget(name: "nio-floor", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
    ]
)
