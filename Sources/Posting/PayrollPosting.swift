import Foundation
import Kernel
import Ledger
import Payroll

/// The accounts payroll posts to (OMFP 1802/2014 chart), in one place.
public enum PayrollAccounts {
    /// Cheltuieli cu salariile personalului.
    public static let salaries = "641"
    /// Cheltuieli cu tichetele acordate salariaților.
    public static let mealVoucherExpense = "6422"
    /// Cheltuieli privind contribuția asiguratorie pentru muncă.
    public static let workInsuranceExpense = "646"
    /// Personal - salarii datorate.
    public static let salariesPayable = "421"
    /// Avansuri acordate personalului.
    public static let advances = "425"
    /// Rețineri din salarii datorate terților.
    public static let thirdParties = "427"
    /// Contribuția de asigurări sociale (CAS) and de asigurări sociale de sănătate (CASS).
    public static let cas = "4315"
    public static let cass = "4316"
    /// Contribuția asiguratorie pentru muncă (CAM).
    public static let cam = "436"
    /// Impozitul pe venituri de natura salariilor.
    public static let incomeTax = "444"
    /// Alte valori: the meal vouchers handed out.
    public static let mealVouchers = "5328"
}

/// The entry a payroll run posts (issue 15 item 4), one for the run with one line per account (the payroll register
/// keeps each employee's amounts; employees are not ledger partners): `641 = 421` gross; `421 = 4315` CAS,
/// `421 = 4316` CASS, `421 = 444` tax; `646 = 436` CAM; `6422 = 5328` meal vouchers (their CASS and tax are in the
/// withholdings above); `421 = 425` advances; `421 = 427` withholdings for third parties. What stays on 421 is the
/// net to pay; the payment posts `421 = 5121`.
public enum PayrollPosting {
    /// `cam`: the employer's CAM to post (`PayrollRounding.employerCAM`, what D112 declares); nil posts the sum of
    /// the payslips' CAM.
    public static func entry(run id: String, month: YearMonth, date: LocalDate, results: [PayResult], cam: Int64? = nil) -> EntryDraft {
        func total(_ amount: (PayResult) -> Money) -> Int64 { results.reduce(0) { $0 + amount($1).minorUnits } }
        let source = SourceReference(type: "payroll_run", id: id)
        var lines: [EntryLine] = []
        func pair(_ debit: String, _ credit: String, _ amount: Int64, _ text: String) {
            guard amount != 0 else { return }
            lines.append(EntryLine(account: debit, debit: amount, description: text, source: source))
            lines.append(EntryLine(account: credit, credit: amount, description: text, source: source))
        }
        let A = PayrollAccounts.self
        pair(A.salaries, A.salariesPayable, total(\.gross), "Salarii brute \(month)")
        pair(A.salariesPayable, A.cas, total(\.cas), "CAS \(month)")
        pair(A.salariesPayable, A.cass, total(\.cass), "CASS \(month)")
        pair(A.salariesPayable, A.incomeTax, total(\.tax), "Impozit pe salarii \(month)")
        pair(A.workInsuranceExpense, A.cam, cam ?? total(\.cam), "CAM \(month)")
        pair(A.mealVoucherExpense, A.mealVouchers, total(\.mealVouchers), "Tichete de masă \(month)")
        pair(A.salariesPayable, A.advances, total(\.advance), "Avansuri reținute \(month)")
        pair(A.salariesPayable, A.thirdParties, total(\.garnishments), "Rețineri terți \(month)")
        return EntryDraft(
            journal: "SAL", date: date, description: "Stat de plată \(month)", externalRef: "payroll:\(id)", lines: lines)
    }

    /// Paying the nets: `421 = 5121` (or the account named).
    public static func payment(
        run id: String, month: YearMonth, date: LocalDate, net: Money, account: String = TreasuryAccounts.bankRON
    )
        -> EntryDraft
    {
        let source = SourceReference(type: "payroll_run", id: id)
        let text = "Plată salarii \(month)"
        return EntryDraft(
            journal: "SAL", date: date, description: text, externalRef: "payroll-payment:\(id)",
            lines: [
                EntryLine(account: PayrollAccounts.salariesPayable, debit: net.minorUnits, description: text, source: source),
                EntryLine(account: account, credit: net.minorUnits, description: text, source: source),
            ])
    }
}
