import Foundation

/// The bundled 8x8 handwritten digits (UCI, Alpaydin and Kaynak 1998; see examples/data/README.md):
/// 1797 rows of 64 pixel values 0..16 and the digit 0..9, returned as labels 1..10.
///
/// The file `digits.csv` is found, in this order: in the directory named by the environment
/// variable DYNLUA_DATA; in `examples/data` under the current directory; in `examples/data`
/// under the executable's directory or any of its ancestors (a build inside the repository);
/// in the source tree this file was compiled from.
public enum Digits {
    public static let fileName = "digits.csv"

    public static func candidates() -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["DYNLUA_DATA"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/examples/data")
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = exe.deletingLastPathComponent()
            while dir.path != "/" && !dir.path.isEmpty {
                dirs.append(dir.appendingPathComponent("examples/data").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        let source = URL(fileURLWithPath: #filePath)  // Sources/DynCore/Data/Digits.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        dirs.append(source.appendingPathComponent("examples/data").path)
        return dirs.map { $0 + "/" + fileName }
    }

    public static func locate() throws -> String {
        let tried = candidates()
        if let found = tried.first(where: { FileManager.default.isReadableFile(atPath: $0) }) { return found }
        throw TensorError("data.digits: cannot find \(fileName); set DYNLUA_DATA to the directory holding it (looked in: \(tried.joined(separator: ", ")))")
    }

    public static func load(path: String? = nil) throws -> LabeledData {
        let file = try path ?? locate()
        let result = try CSVTable.read(path: file, header: .absent, function: "data.digits")
        let x = result.data.x
        guard x.rank == 2, x.shape[1] == 64 else {
            throw TensorError("data.digits: '\(file)' has \(x.shape[1] + 1) columns, expected 65 (64 pixels and the digit)")
        }
        return result.data
    }
}
