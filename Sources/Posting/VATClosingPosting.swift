import Kernel
import Ledger

/// The accounts of the VAT closing (OMFP 1802/2014 chart).
public enum VATAccounts {
    /// TVA de plată.
    public static let payable = "4423"
    /// TVA de recuperat.
    public static let recoverable = "4424"
    /// Alte cheltuieli / venituri de exploatare: where the return's rounding to whole lei lands.
    public static let roundingExpense = "6588"
    public static let roundingIncome = "7588"
}

/// The VAT closing of a period (issue 16 item 3): `4427 = 4426` for the VAT collected and deducted, the return's result
/// to `4423` (to pay) or `4424` (to recover), so that afterwards 4426 and 4427 are zero and the balance equals the D300's
/// result in whole lei; the difference of the return's rounding to the leu goes to 7588 or 6588. A negative balance carried
/// from an earlier period (4424) is set off against a period's VAT to pay, as the return's rows 41–42 (`R41_2`, `R42_2`) do.
public enum VATClosing {
    /// - Parameters:
    ///   - collected: the credit balance of 4427 at the period's end; `deductible`: the debit balance of 4426 (minor units).
    ///   - payable, recoverable: the return's `R34_2` and `R33_2` in minor units (whole lei × 100).
    ///   - carried: the debit balance of 4424 before the closing, set off against `payable`.
    public static func entry(
        period: YearMonth, date: LocalDate, collected: Int64, deductible: Int64, payable: Int64, recoverable: Int64, carried: Int64,
        reference: String, filing: String
    ) -> EntryDraft {
        let source = SourceReference(type: "filing", id: filing)
        let text = "Închidere TVA \(period)"
        var lines: [EntryLine] = []
        if collected != 0 {
            lines.append(EntryLine(account: InvoicingAccounts.vatCollected, debit: collected, description: text, source: source))
        }
        if deductible != 0 {
            lines.append(EntryLine(account: InvoicingAccounts.vatDeductible, credit: deductible, description: text, source: source))
        }
        if payable > 0 { lines.append(EntryLine(account: VATAccounts.payable, credit: payable, description: text, source: source)) }
        if recoverable > 0 {
            lines.append(EntryLine(account: VATAccounts.recoverable, debit: recoverable, description: text, source: source))
        }
        let rounding = collected - deductible - payable + recoverable
        if rounding > 0 {
            lines.append(
                EntryLine(
                    account: VATAccounts.roundingIncome, credit: rounding, description: "Rotunjire decont TVA \(period)", source: source))
        } else if rounding < 0 {
            lines.append(
                EntryLine(
                    account: VATAccounts.roundingExpense, debit: -rounding, description: "Rotunjire decont TVA \(period)", source: source))
        }
        let offset = min(max(payable, 0), max(carried, 0))
        if offset > 0 {
            let why = "Compensare TVA de recuperat \(period)"
            lines.append(EntryLine(account: VATAccounts.payable, debit: offset, description: why, source: source))
            lines.append(EntryLine(account: VATAccounts.recoverable, credit: offset, description: why, source: source))
        }
        return EntryDraft(journal: "GEN", date: date, description: text, externalRef: reference, lines: lines)
    }
}
