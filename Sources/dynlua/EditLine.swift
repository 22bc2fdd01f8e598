/// The line being edited at the prompt: its text, the cursor, the walk through the history with
/// Up/Down, and the incremental search back through it (Ctrl-R). No terminal here: `apply`
/// turns a key into a new state.
struct EditLine {
    enum Outcome: Equatable { case editing, submit(String), cancel, endOfFile, complete }

    private(set) var text: [Unicode.Scalar] = []
    private(set) var cursor = 0
    private let history: [String]
    private var historyIndex: Int  // history.count: the line being typed, not a history entry
    private var draft: [Unicode.Scalar] = []
    /// The search text while a Ctrl-R search is on.
    private(set) var searchQuery: [Unicode.Scalar]?
    /// The history entry the search shows (nil: none yet), and whether the last search failed.
    private var searchMatch: Int?
    private(set) var searchFailed = false
    private var beforeSearch: ([Unicode.Scalar], Int) = ([], 0)

    init(history: [String]) {
        self.history = history
        historyIndex = history.count
    }

    var string: String { String(String.UnicodeScalarView(text)) }

    /// The text before the cursor (what Tab completes).
    var beforeCursor: String { String(String.UnicodeScalarView(text[..<cursor])) }

    mutating func apply(_ key: Key) -> Outcome {
        if searchQuery != nil, let outcome = applySearch(key) { return outcome }
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
        case .tab: return .complete
        case .reverseSearch:
            searchQuery = []
            searchMatch = nil
            searchFailed = false
            beforeSearch = (text, cursor)
        case .ignored, .abort: break
        }
        return .editing
    }

    /// Replaces the text from `start` to the cursor by `replacement` (a completion).
    mutating func replace(from start: Int, with replacement: String) {
        guard start >= 0, start <= cursor else { return }
        let new = Array(replacement.unicodeScalars)
        text.replaceSubrange(start..<cursor, with: new)
        cursor = start + new.count
    }

    /// A key during the search: text typed extends the query, Ctrl-R looks further back,
    /// Backspace shortens the query, Ctrl-G or Ctrl-C restore the line; Enter runs the line
    /// found. Any other key ends the search on the line found and then acts as usual (nil).
    private mutating func applySearch(_ key: Key) -> Outcome? {
        guard var query = searchQuery else { return nil }
        switch key {
        case .insert(let s):
            query.append(s)
            searchQuery = query
            search(from: searchMatch ?? history.count - 1)
        case .backspace:
            if !query.isEmpty { query.removeLast() }
            searchQuery = query
            search(from: history.count - 1)
        case .reverseSearch:
            search(from: (searchMatch ?? history.count) - 1)
        case .interrupt, .abort:
            (text, cursor) = beforeSearch
            searchQuery = nil
        case .enter:
            searchQuery = nil
            return .submit(string)
        default:
            searchQuery = nil
            if let searchMatch { historyIndex = searchMatch; draft = beforeSearch.0 }
            return nil
        }
        return .editing
    }

    /// Shows the newest entry at or before `index` holding the query (the cursor on the match).
    private mutating func search(from index: Int) {
        guard let query = searchQuery else { return }
        searchFailed = false
        guard !query.isEmpty else { searchMatch = nil; (text, cursor) = beforeSearch; return }
        var i = min(index, history.count - 1)
        while i >= 0 {
            let entry = Array(history[i].unicodeScalars)
            if let at = EditLine.find(query, in: entry) {
                searchMatch = i
                text = entry
                cursor = at
                return
            }
            i -= 1
        }
        searchFailed = true
    }

    static func find(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
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
