import Foundation

/// Reads lines for the interactive session, keeping the session's history.
struct LineEditor {
    private(set) var history: [String] = []

    mutating func readLine(prompt: String) -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        return Swift.readLine(strippingNewline: true)
    }

    mutating func addHistory(_ entry: String) {
        if !entry.isEmpty && history.last != entry { history.append(entry) }
    }
}
