// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "signalhub",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "signalhub", targets: ["signalhub"]),
        .executable(name: "signalhub-load", targets: ["signalhub-load"]),
        .library(name: "SignalHubCore", targets: ["SignalHubCore"]),
        .library(name: "SignalHubServer", targets: ["SignalHubServer"]),
        .library(name: "SignalHubClient", targets: ["SignalHubClient"]),
        .library(name: "SignalHubWire", targets: ["SignalHubWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
    ],
    targets: [
        // C libraries, each behind a small header of prefixed shims.
        .systemLibrary(
            name: "CLibUV",
            path: "Sources/CLibUV",
            pkgConfig: "libuv",
            providers: [.apt(["libuv1-dev"])]
        ),
        .systemLibrary(
            name: "CLibWebSockets",
            path: "Sources/CLibWebSockets",
            pkgConfig: "libwebsockets",
            providers: [.apt(["libwebsockets-dev"])]
        ),
        .systemLibrary(
            name: "CJansson",
            path: "Sources/CJansson",
            pkgConfig: "jansson",
            providers: [.apt(["libjansson-dev"])]
        ),

        .systemLibrary(
            name: "CHiredis",
            path: "Sources/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),

        // What the server and the client share about driving libwebsockets.
        .target(name: "SignalHubLWS", dependencies: ["CLibWebSockets", "CLibUV"]),

        // Pure roster logic: no C, no I/O, no clocks of its own.
        .target(
            name: "SignalHubCore",
            dependencies: [
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // The wire format: PROTOCOL.md messages to and from JSON bytes, through jansson.
        .target(name: "SignalHubWire", dependencies: ["SignalHubCore", "CJansson"]),

        // A small blocking Redis client through hiredis: one thread per connection, so the
        // service thread never waits on Redis.
        .target(name: "SignalHubRedis", dependencies: ["CHiredis"]),

        // Multi-node mode: the shared roster in Redis (Lua scripts, pub/sub bus, node
        // heartbeats) behind the core's `SharedRosterCommand` seam.
        .target(name: "SignalHubCluster", dependencies: ["SignalHubCore", "SignalHubWire", "SignalHubRedis"]),

        // Auth, call and admin tokens (HS256 JWTs) through jwt-kit.
        .target(
            name: "SignalHubAuth",
            dependencies: [
                "SignalHubCore", "SignalHubWire",
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),

        // The libwebsockets adapter: one service thread that owns the hub state.
        .target(
            name: "SignalHubServer",
            dependencies: [
                "SignalHubCore", "SignalHubWire", "SignalHubAuth", "SignalHubLWS", "SignalHubCluster", "CLibWebSockets", "CLibUV",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),

        // The Swift client: libwebsockets' client side, many connections on one thread.
        .target(
            name: "SignalHubClient",
            dependencies: [
                "SignalHubCore", "SignalHubWire", "SignalHubLWS", "CLibWebSockets",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),

        // The command-line tool: `signalhub serve`, `signalhub token ...`.
        .executableTarget(
            name: "signalhub",
            dependencies: [
                "SignalHubServer", "SignalHubAuth", "SignalHubCore", "SignalHubCluster", "SignalHubRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The load tool: N sessions x M members against a running hub, measured.
        .executableTarget(
            name: "signalhub-load",
            dependencies: [
                "SignalHubClient", "SignalHubAuth", "SignalHubCore", "SignalHubWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),

        // The benchmarks' floor: the CPU cost of one loopback send() per frame.
        .executableTarget(
            name: "signalhub-floor",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        .testTarget(name: "SignalHubCoreTests", dependencies: ["SignalHubCore"]),
        .testTarget(
            name: "SignalHubClientTests",
            dependencies: [
                "SignalHubClient", "SignalHubServer", "SignalHubAuth", "SignalHubCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SignalHubLWSTests", dependencies: ["SignalHubLWS", "CLibWebSockets"]),
        .testTarget(name: "SignalHubServerTests", dependencies: ["SignalHubServer", "SignalHubWire", "SignalHubCore"]),
        .testTarget(name: "SignalHubWireTests", dependencies: ["SignalHubWire", "SignalHubCore"]),
        .testTarget(
            name: "SignalHubAuthTests",
            dependencies: ["SignalHubAuth", "SignalHubCore", .product(name: "JWTKit", package: "jwt-kit")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
