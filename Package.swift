// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "wameter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "wameter", targets: ["wameter"]),
        .library(name: "MeterCore", targets: ["MeterCore"]),
        .library(name: "WhatsAppWebhook", targets: ["WhatsAppWebhook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // Payload types, tolerant decoding and the signature check. No I/O.
        .target(
            name: "WhatsAppWebhook",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // Pure billing rules, ledger merge, markets, rates and the report model. No I/O.
        .target(
            name: "MeterCore",
            dependencies: ["WhatsAppWebhook", .product(name: "Crypto", package: "swift-crypto")]),
        // Process-wide SQLite settings that need C (`sqlite3_config` is variadic).
        .target(
            name: "CSQLiteSettings",
            linkerSettings: [.linkedLibrary("sqlite3")]
        ),
        // The only module with SQL: LedgerStore and its SQLite (GRDB) and PostgreSQL (PostgresNIO)
        // implementations.
        .target(
            name: "MeterStore",
            dependencies: [
                "MeterCore", "WhatsAppWebhook", "CSQLiteSettings",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for binding counter upserts without boxing each value.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Hummingbird application: webhook, report API, health. Thin handlers over MeterStore.
        .target(
            name: "MeterServer",
            dependencies: [
                "MeterCore", "MeterStore", "MeterReconcile", "WhatsAppWebhook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Reconciliation with Meta's analytics: the Graph API client (AsyncHTTPClient) and the
        // comparison of its answers with the ledger.
        .target(
            name: "MeterReconcile",
            dependencies: [
                "MeterCore", "MeterStore", "WhatsAppWebhook",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A deterministic model of Meta's webhook stream, for `wameter simulate` and `demo`. No I/O.
        .target(name: "TrafficSimulator", dependencies: ["WhatsAppWebhook", "MeterCore"]),
        // Sends simulated traffic to a server over HTTP: the signed-webhook poster (`simulate --url`,
        // the server benchmark) and the demo's feed as a lifecycle service.
        .target(
            name: "TrafficDriver",
            dependencies: [
                "TrafficSimulator", "WhatsAppWebhook",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "wameter",
            dependencies: [
                "MeterCore", "MeterStore", "MeterServer", "MeterReconcile", "WhatsAppWebhook", "TrafficSimulator",
                "TrafficDriver",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // The server benchmark's baseline (scripts/bench-server.sh), not part of wameter: a
        // hand-rolled receiver that stores each signed body as one row in its own transaction.
        .executableTarget(
            name: "webhook-baseline",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "scripts/webhook-baseline"
        ),
        .testTarget(name: "WhatsAppWebhookTests", dependencies: ["WhatsAppWebhook", "TestSupport"]),
        .testTarget(name: "MeterCoreTests", dependencies: ["MeterCore", "WhatsAppWebhook", "TestSupport"]),
        .testTarget(
            name: "TrafficSimulatorTests",
            dependencies: ["TrafficSimulator", "WhatsAppWebhook", "MeterStore", "MeterCore", "TestSupport"]),
        // Webhook-body scenarios shared by the store and command tests.
        .target(
            name: "TestSupport",
            dependencies: [
                "MeterStore", "MeterCore", "WhatsAppWebhook", .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "MeterStoreTests",
            dependencies: [
                "MeterStore", "MeterCore", "WhatsAppWebhook", "TestSupport", "TrafficSimulator",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(name: "WameterTests", dependencies: ["wameter", "MeterStore", "MeterCore", "TestSupport"]),
        .testTarget(
            name: "MeterServerTests",
            dependencies: [
                "MeterServer", "MeterStore", "MeterCore", "MeterReconcile", "WhatsAppWebhook", "TestSupport",
                "TrafficSimulator", "TrafficDriver",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)
