// swift-tools-version:6.0
import PackageDescription

// Layers (see docs/ARCHITECTURE.md): system libraries and a C shim -> DynCore (numerics, no Lua)
// -> DynLua (bindings, no numerics) -> dynlua (the executable).
// Exclusivity checking stays on everywhere (Lua callbacks re-enter DynCore and DynLua while
// they run): turning it off measured no difference on the Fig. 4 workload (docs/ARCHITECTURE.md).

let package = Package(
    name: "dynlua",
    products: [.executable(name: "dynlua", targets: ["dynlua"])],
    targets: [
        .systemLibrary(name: "CLua", path: "Sources/CLua", pkgConfig: "lua5.4",
                       providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .target(name: "CMemoryBudget"),
        .target(name: "CLuaShim", dependencies: ["CLua", "CMemoryBudget"]),
        .target(name: "CKernels"),
        .target(name: "CTempFiles"),
        .target(name: "CCpuid"),
        .target(name: "CBLASStart", dependencies: ["CCpuid", "COpenBLAS"]),
        .target(name: "CPreinit", dependencies: ["CBLASStart"]),
        .target(name: "DynCore", dependencies: ["COpenBLAS", "CZlib", "CKernels", "CMemoryBudget", "CTempFiles", "CCpuid", "CBLASStart"]),
        .target(name: "DynLua", dependencies: ["DynCore", "CLuaShim", "CLua"]),
        .executableTarget(name: "dynlua", dependencies: ["DynLua", "CLuaShim", "CLua", "CPreinit"]),
        .testTarget(name: "DynCoreTests", dependencies: ["DynCore", "CZlib"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DynLuaTests", dependencies: ["DynLua", "DynCore", "CLuaShim", "CLua", "CMemoryBudget"]),
    ],
    swiftLanguageModes: [.v5]
)
