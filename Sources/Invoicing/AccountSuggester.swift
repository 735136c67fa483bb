import Foundation
import Kernel

/// Suggests an expense account for a bill line, learned from the company's own posted bill lines:
/// a multinomial naive-Bayes classifier over the supplier and the words of the description, trained locally.
/// With no relevant history there is no suggestion.
public struct AccountSuggester: Sendable {
    public struct Example: Sendable, Equatable {
        public var supplier: String
        public var text: String
        public var account: String

        public init(supplier: String, text: String, account: String) {
            self.supplier = supplier
            self.text = text
            self.account = account
        }
    }

    public struct Suggestion: Sendable, Codable, Equatable {
        public var account: String
        /// Posterior probability of the account among those seen, 0…1.
        public var confidence: Double
        public var explanation: String
        /// How many earlier lines support it.
        public var evidence: Int
    }

    let examples: [(supplier: String, tokens: Set<String>, account: String)]
    var classCounts: [String: Int] = [:]
    var tokenCounts: [String: [String: Int]] = [:]
    var classTokenTotals: [String: Int] = [:]
    var vocabulary: Set<String> = []
    /// A folded token's first spelling as written (for explanations: 'hârtie', not 'hartie').
    var spelling: [String: String] = [:]

    public init(examples: [Example]) {
        self.examples = examples.map { ($0.supplier, Self.tokens($0.text), $0.account) }
        for example in examples {
            for word in example.text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init) {
                let folded = Self.tokens(word)
                if let token = folded.first, spelling[token] == nil { spelling[token] = word }
            }
        }
        for example in self.examples {
            classCounts[example.account, default: 0] += 1
            for token in example.tokens.union(["supplier:" + example.supplier]) {
                tokenCounts[example.account, default: [:]][token, default: 0] += 1
                classTokenTotals[example.account, default: 0] += 1
                vocabulary.insert(token)
            }
        }
    }

    /// Lowercased words of at least 3 letters, diacritics folded (ă â î ș ț → a a i s t).
    public static func tokens(_ text: String) -> Set<String> {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "ro_RO")).lowercased()
        return Set(folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init).filter { $0.count >= 3 })
    }

    public func suggest(supplier: String, text: String) -> Suggestion? {
        let words = Self.tokens(text)
        let features = words.union(["supplier:" + supplier]).filter { vocabulary.contains($0) }
        guard !features.isEmpty, !classCounts.isEmpty else { return nil }
        let total = Double(examples.count)
        let size = Double(vocabulary.count)
        var scores: [(String, Double)] = []
        for (account, count) in classCounts {
            var score = log(Double(count) / total)
            let counts = tokenCounts[account] ?? [:]
            let denominator = Double(classTokenTotals[account] ?? 0) + size
            for feature in features { score += log((Double(counts[feature] ?? 0) + 1) / denominator) }
            scores.append((account, score))
        }
        scores.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let best = scores[0]
        let normaliser = scores.reduce(0.0) { $0 + exp($1.1 - best.1) }
        let confidence = 1 / normaliser
        // Explain with the strongest evidence: same supplier and a shared word, then the supplier, then the word.
        let account = best.0
        let supporting = examples.filter { $0.account == account }
        let fromSupplier = supporting.filter { $0.supplier == supplier }
        let word = words.filter { word in supporting.contains { $0.tokens.contains(word) } }
            .max { a, b in
                supporting.filter { $0.tokens.contains(a) }.count < supporting.filter { $0.tokens.contains(b) }.count
            }
        let shown = word.map { spelling[$0] ?? $0 }
        let explanation: String
        let evidence: Int
        if let word, case let both = fromSupplier.filter({ $0.tokens.contains(word) }).count, both > 0 {
            evidence = both
            explanation =
                "\(account), because \(both) earlier line\(both == 1 ? "" : "s") from this supplier with '\(shown!)' went to \(account)"
        } else if !fromSupplier.isEmpty {
            evidence = fromSupplier.count
            explanation = "\(account), because \(evidence) earlier line\(evidence == 1 ? "" : "s") from this supplier went to \(account)"
        } else if let word {
            evidence = supporting.filter { $0.tokens.contains(word) }.count
            explanation = "\(account), because \(evidence) earlier line\(evidence == 1 ? "" : "s") with '\(shown!)' went to \(account)"
        } else {
            return nil
        }
        return Suggestion(account: account, confidence: confidence, explanation: explanation, evidence: evidence)
    }
}

/// The lifecycle of a supplier bill: draft → posted; payment states are derived from the ledger.
public enum BillState: String, Sendable, Codable, CaseIterable {
    case draft
    case posted
    case partiallyPaid = "partially_paid"
    case paid

    public enum Action: String, Sendable { case edit, post, delete, pay }

    public func apply(_ action: Action) throws(DomainError) -> BillState? {
        switch (self, action) {
        case (.draft, .edit): return .draft
        case (.draft, .delete): return nil
        case (.draft, .post): return .posted
        case (.posted, .pay), (.partiallyPaid, .pay): return .partiallyPaid
        default:
            throw DomainError(
                "bill.illegal_transition", kind: .conflict,
                "You cannot \(action.rawValue) a bill in state \(rawValue) because \(self == .draft ? "it is not posted yet" : "a posted bill never changes; record the supplier's credit note instead")."
            )
        }
    }
}
