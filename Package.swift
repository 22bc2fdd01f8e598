// swift-tools-version:6.0
import PackageDescription

// Layers (see docs/ARCHITECTURE.md): system libraries and a C shim -> DynCore (numerics, no Lua)
// -> DynLua (bindings, no numerics) -> dynlua (the executable).
let optimize: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "dynlua",
    products: [.executable(name: "dynlua", targets: ["dynlua"])],
    targets: [
        .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4",
                       providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .target(name: "CKernels"),
        .target(name: "CTempFiles"),
        .target(name: "CCpuid"),
        .target(name: "CBLASStart", dependencies: ["CCpuid", "COpenBLAS"]),
        .target(name: "CPreinit", dependencies: ["CBLASStart"]),
        .target(name: "DynCore", dependencies: ["COpenBLAS", "CKernels", "CTempFiles", "CCpuid", "CBLASStart"],
                swiftSettings: optimize),
        .target(name: "DynLua", dependencies: ["DynCore", "CLuaShim", "CLua"], swiftSettings: optimize),
        .executableTarget(name: "dynlua", dependencies: ["DynLua", "CLuaShim", "CLua", "CPreinit"]),
        .testTarget(name: "DynCoreTests", dependencies: ["DynCore"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DynLuaTests", dependencies: ["DynLua", "DynCore"]),
    ],
    swiftLanguageModes: [.v5]
)
