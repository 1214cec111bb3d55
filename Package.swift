// swift-tools-version:6.2
import PackageDescription

// Targets follow the layering in DESIGN.md: a target imports only the ones above it.
//   CYAML, CMalloc   C headers: libyaml, glibc's malloc tuning
//   CRE2             RE2 (C++) behind a C face: linear-time matching of Alert patterns
//   HeraldJSON       JSON values, Go-compatible JSON bytes, YAML read as JSON (leaf utility)
//   HeraldCore       Flux domain model, matching, dedupe: pure values, no I/O
//   HeraldNotifiers  one file per provider type, rendering requests
//   HeraldKube       a small Kubernetes client: config, get/list/watch/patch, reflector (knows nothing of Flux)
//   HeraldAgent      sources, pipeline wiring, dispatcher, transport
//   herald           the command line
// The shipped build compiles every module for size (scripts/build-release.sh passes -Xswiftc -Osize), but
// the hot path (JSON, routing, the pipeline) stays compiled for speed so routing keeps its throughput
// (README "Memory"): the frontend honours the last optimisation flag, and -Xfrontend flags follow the ones
// the driver derives from -Osize.
let hotPath: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-O"], .when(configuration: .release))]

let package = Package(
    name: "herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["herald"])
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        // Header only: glibc's <malloc.h> (mallopt, malloc_trim) for MemoryFootprint; libc is linked anyway.
        .systemLibrary(name: "CMalloc"),
        // RE2 behind a C face: Alert patterns match in linear time with Go's syntax, as in Flux. Debian's
        // libre2-dev ships libre2.a, which the static release binary links.
        .target(
            name: "CRE2",
            linkerSettings: [.linkedLibrary("re2")]
        ),
        .target(
            name: "HeraldJSON",
            dependencies: ["CYAML"],
            swiftSettings: hotPath
        ),
        .target(
            name: "HeraldCore",
            dependencies: [
                "HeraldJSON",
                "CRE2",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: hotPath
        ),
        .target(
            name: "HeraldNotifiers",
            dependencies: [
                "HeraldCore",
                "HeraldJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA (RS256) for GitHub App and Google service-account JWTs.
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "HeraldKube",
            dependencies: [
                "HeraldJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HeraldAgent",
            dependencies: [
                "HeraldCore",
                "HeraldJSON",
                "HeraldNotifiers",
                "HeraldKube",
                "CMalloc",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: hotPath
        ),
        .executableTarget(
            name: "herald",
            dependencies: [
                "HeraldAgent",
                "HeraldKube",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HeraldTestSupport",
            dependencies: [
                "HeraldJSON",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Tests/HeraldTestSupport",
            exclude: ["Fixtures"]
        ),
        // Fuzz targets for every parser of untrusted bytes (scripts/fuzz.sh builds them with libFuzzer);
        // built the ordinary way it replays files through a target.
        .executableTarget(
            name: "herald-fuzz",
            dependencies: ["HeraldCore", "HeraldJSON"],
            path: "Fuzz",
            exclude: ["seeds"]
        ),
        .executableTarget(
            name: "herald-cluster-bench",
            dependencies: ["HeraldJSON", "HeraldTestSupport"],
            path: "Benchmarks/ClusterBench"
        ),
        .testTarget(name: "HeraldJSONTests", dependencies: ["HeraldJSON"]),
        .testTarget(name: "HeraldCoreTests", dependencies: ["HeraldCore", "HeraldJSON"]),
        .testTarget(name: "HeraldKubeTests", dependencies: ["HeraldKube", "HeraldJSON", "HeraldTestSupport"]),
        .testTarget(
            name: "HeraldNotifiersTests",
            dependencies: ["HeraldNotifiers", "HeraldCore", "HeraldJSON", "HeraldTestSupport"]
        ),
        .testTarget(
            name: "HeraldAgentTests",
            dependencies: [
                "HeraldAgent", "HeraldNotifiers", "HeraldCore", "HeraldJSON", "HeraldTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            // Scripts of the real peers the tests run (Python's kubernetes client, opentelemetry-proto).
            exclude: ["Peers"]
        ),
        .testTarget(
            name: "HeraldCLITests",
            dependencies: ["herald", "HeraldJSON", "HeraldTestSupport"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
