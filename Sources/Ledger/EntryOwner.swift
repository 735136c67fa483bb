import Kernel

/// The document that produced an entry, read from the entry's external reference (`invoice:ID`, `bank_line:ID#2`, …).
/// Such an entry is changed only through its document: an invoice by a credit note, a bank match by unmatching, a
/// revaluation from the FX page. A person's own entries (and imported journals) have no owner and reverse freely.
public struct EntryOwner: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case invoice, bill, payment, cash, merge
        case bankLine = "bank_line"
        case bankFee = "bank_fee"
        case revaluation = "fx_revaluation"
        case yearEnd = "year_end"
        case vatClosing = "vat_closing"
    }

    public let kind: Kind
    /// The document's id (an invoice or bill id, a bank line id, a cash document number, a month, a year's start).
    public let id: String

    public init(kind: Kind, id: String) {
        self.kind = kind
        self.id = id
    }

    /// The owner named by an entry's external reference, or nil for an entry a person (or an import) owns.
    public init?(externalRef: String?) {
        guard let externalRef, let colon = externalRef.firstIndex(of: ":"),
            let kind = Kind(rawValue: String(externalRef[..<colon]))
        else { return nil }
        let rest = externalRef[externalRef.index(after: colon)...]
        // A bank line matched again gets `bank_line:ID#2`: the line is the same document.
        self.init(kind: kind, id: String(rest.split(separator: "#", maxSplits: 1).first ?? rest))
    }

    /// What to do instead of reversing the entry from the ledger.
    public var remedy: String {
        switch self.kind {
        case .invoice: "issue a credit note from the invoice (a credit note is corrected by a new invoice)"
        case .bill: "record the supplier's credit note on the bill"
        case .payment: "unmatch its bank line, or record the opposite payment"
        case .bankLine, .bankFee: "unmatch the bank line"
        case .cash: "record the opposite cash document"
        case .revaluation: "reverse the revaluation from the exchange-rate page"
        case .merge: "partner merges are final; post a reclassification by hand"
        case .yearEnd: "reopen the fiscal year"
        case .vatClosing: "reopen the period's VAT closing"
        }
    }

    /// The refusal of a reversal from the ledger.
    public func refusal(entry: EntryID) -> DomainError {
        DomainError(
            "ledger.document_entry", kind: .conflict,
            "You cannot reverse entry \(entry) from the ledger because \(kind.rawValue.replacingOccurrences(of: "_", with: " ")) \(id) produced it; \(remedy)."
        )
    }
}
