import Foundation
import Kernel
import Ledger
import Payroll
import Posting
import Testing

/// The payroll run's entry as a table (issue 15 item 4): one line per account, balanced, and 421 left with exactly the
/// nets to pay, which the payment clears.
@Suite struct PayrollPostingTests {
    @Test func aRunPostsOneLinePerAccount() throws {
        let month = try YearMonth(year: 2026, month: 3)
        let parameters = try PayrollParameterTable.inForce(month)
        let birth = try LocalDate(iso: "1985-04-02")
        func lei(_ whole: Int64) -> Money { .ron(whole * 100) }
        // The minimum wage (net 2,574) and 5,000 with 20 meal vouchers of 45, an advance of 1,000 and a garnishment of
        // 300 (CAS 1,250, CASS 590, tax 364, net 2,796, to pay 1,496): gross 9,050, CAS 938 + 1,250, CASS 375 + 590,
        // tax 163 + 364, CAM 84 + 113.
        let results = try [
            PayInput(
                employee: "E1", month: month, birthDate: birth, monthWorkingDays: 22,
                segments: [PaySegment(baseSalary: lei(4_050), normHours: 8, workedDays: 22)]),
            PayInput(
                employee: "E2", month: month, birthDate: birth, monthWorkingDays: 22,
                segments: [PaySegment(baseSalary: lei(5_000), normHours: 8, workedDays: 22)], mealVouchers: 20,
                mealVoucherValue: lei(45), advance: lei(1_000), garnishments: lei(300)),
        ].map { input throws(ValidationErrors) in try GrossToNet.compute(input, parameters) }
        let entry = PayrollPosting.entry(run: "RUN1", month: month, date: try LocalDate(iso: "2026-03-31"), results: results)
        #expect(
            PostingRuleTests.text(entry) == [
                "641 D 9050.00", "421 C 9050.00", "421 D 2188.00", "4315 C 2188.00", "421 D 965.00", "4316 C 965.00", "421 D 527.00",
                "444 C 527.00", "646 D 197.00", "436 C 197.00", "6422 D 900.00", "5328 C 900.00", "421 D 1000.00", "425 C 1000.00",
                "421 D 300.00", "427 C 300.00",
            ])
        #expect(entry.journal == "SAL" && entry.externalRef == "payroll:RUN1")
        #expect(entry.lines.allSatisfy { $0.source == SourceReference(type: "payroll_run", id: "RUN1") })
        let debits = entry.lines.reduce(0) { $0 + $1.debit }
        #expect(debits == entry.lines.reduce(0) { $0 + $1.credit })
        // What 421 keeps is the nets to pay (2,574 + 1,496 = 4,070); paying them leaves it at zero.
        let toPay = results.reduce(Int64(0)) { $0 + $1.netToPay.minorUnits }
        let payment = PayrollPosting.payment(run: "RUN1", month: month, date: try LocalDate(iso: "2026-04-10"), net: .ron(toPay))
        let payable = (entry.lines + payment.lines).filter { $0.account == PayrollAccounts.salariesPayable }
            .reduce(0) { $0 + $1.credit - $1.debit }
        #expect(toPay == 407_000 && payable == 0)
        #expect(PostingRuleTests.text(payment) == ["421 D 4070.00", "5121 C 4070.00"])
    }
}
