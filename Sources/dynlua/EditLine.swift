/// The line being edited at the prompt: its text, the cursor, and the walk through the session's
/// history with Up/Down. No terminal here: `apply` turns a key into a new state.
struct EditLine {
    enum Outcome: Equatable { case editing, submit(String), cancel, endOfFile }

    private(set) var text: [Unicode.Scalar] = []
    private(set) var cursor = 0
    private let history: [String]
    private var historyIndex: Int  // history.count: the line being typed, not a history entry
    private var draft: [Unicode.Scalar] = []

    init(history: [String]) {
        self.history = history
        historyIndex = history.count
    }

    var string: String { String(String.UnicodeScalarView(text)) }

    mutating func apply(_ key: Key) -> Outcome {
        switch key {
        case .insert(let s): text.insert(s, at: cursor); cursor += 1
        case .enter: return .submit(string)
        case .interrupt: return .cancel
        case .endOfFile:
            if text.isEmpty { return .endOfFile }
            if cursor < text.count { text.remove(at: cursor) }
        case .backspace: if cursor > 0 { cursor -= 1; text.remove(at: cursor) }
        case .delete: if cursor < text.count { text.remove(at: cursor) }
        case .left: cursor = max(cursor - 1, 0)
        case .right: cursor = min(cursor + 1, text.count)
        case .home: cursor = 0
        case .end: cursor = text.count
        case .killToEnd: text.removeSubrange(cursor...)
        case .killToStart: text.removeSubrange(..<cursor); cursor = 0
        case .up: recall(historyIndex - 1)
        case .down: recall(historyIndex + 1)
        case .ignored: break
        }
        return .editing
    }

    /// Shows history entry `index` (history.count: the draft typed before walking the history).
    private mutating func recall(_ index: Int) {
        guard index >= 0, index <= history.count, index != historyIndex else { return }
        if historyIndex == history.count { draft = text }
        historyIndex = index
        text = index == history.count ? draft : Array(history[index].unicodeScalars)
        cursor = text.count
    }
}
