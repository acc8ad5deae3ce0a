// swift-tools-version:6.2
// A separate package so that the main `swift build` never links libFuzzer. Build with
// scripts/fuzz.sh (which passes -sanitize=fuzzer,address).
import PackageDescription

let package = Package(
    name: "SignalHubFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "signalhub", path: ".."),
    ],
    targets: [
        // libFuzzer's entry point under the name SwiftPM gives an executable's main.
        .target(name: "CFuzzerMain"),
        .executableTarget(
            name: "SignalHubFuzz",
            dependencies: [
                "CFuzzerMain",
                .product(name: "SignalHubCore", package: "signalhub"),
                .product(name: "SignalHubWire", package: "signalhub"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
