import Kernel

/// The year-end closing entry (OMFP 1802/2014 § 290): every class 6 and 7 balance moves into 121 (profit or loss), in
/// journal INC on the last day of the fiscal year. Balance-sheet accounts carry forward untouched.
public enum YearEndClosing {
    /// The profit-or-loss account.
    public static let resultAccount = "121"

    /// The closing entry for the accounts' balances (debit minus credit, RON minor units), or nil when no income or
    /// expense account has a balance.
    public static func entry(balances: [String: Int64], year: ClosedRange<LocalDate>) -> EntryDraft? {
        var lines: [EntryLine] = []
        var result: Int64 = 0
        for (account, net) in balances.sorted(by: { $0.key < $1.key }) {
            guard let first = account.first, first == "6" || first == "7", net != 0 else { continue }
            lines.append(net > 0 ? EntryLine(account: account, credit: net) : EntryLine(account: account, debit: -net))
            result += net
        }
        guard !lines.isEmpty else { return nil }
        // 121: debit a loss (expenses exceed income), credit a profit.
        lines.append(result > 0 ? EntryLine(account: resultAccount, debit: result) : EntryLine(account: resultAccount, credit: -result))
        return EntryDraft(
            journal: "INC", date: year.upperBound, description: "Închiderea conturilor de venituri și cheltuieli \(year.lowerBound.year)",
            lines: lines)
    }
}
