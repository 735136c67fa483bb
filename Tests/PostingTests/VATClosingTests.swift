import Foundation
import Kernel
import Ledger
import Posting
import Testing

/// The VAT closing as a table: what each case posts, balanced, with 4426 and 4427 emptied and the return's result left in
/// 4423 or 4424.
@Suite struct VATClosingTests {
    static func net(_ draft: EntryDraft, _ account: String) -> Int64 {
        draft.lines.filter { $0.account == account }.reduce(0) { $0 + $1.debit - $1.credit }
    }

    @Test(arguments: [
        // collected, deductible, payable, recoverable, carried → 4423, 4424, 6588, 7588 (debit − credit)
        (
            5_535_00 as Int64, 877_80 as Int64, 4_657_00 as Int64, 0 as Int64, 0 as Int64, -4_657_00 as Int64, 0 as Int64, 0 as Int64,
            -20 as Int64
        ),
        (1_000_00, 1_500_40, 0, 500_00, 0, 0, 500_00, 40, 0),
        (2_000_00, 500_00, 1_500_00, 0, 600_00, -900_00, -600_00, 0, 0),
        (2_000_00, 500_00, 1_500_00, 0, 2_000_00, 0, -1_500_00, 0, 0),
    ])
    func closing(
        collected: Int64, deductible: Int64, payable: Int64, recoverable: Int64, carried: Int64, to4423: Int64, to4424: Int64,
        to6588: Int64, to7588: Int64
    ) throws {
        let draft = VATClosing.entry(
            period: try YearMonth(year: 2026, month: 3), date: try LocalDate(iso: "2026-03-31"), collected: collected,
            deductible: deductible, payable: payable, recoverable: recoverable, carried: carried, reference: "vat_closing:2026-03",
            filing: "F")
        #expect(draft.lines.reduce(0) { $0 + $1.debit - $1.credit } == 0)
        #expect(Self.net(draft, "4427") == collected && Self.net(draft, "4426") == -deductible)
        #expect(Self.net(draft, "4423") == to4423 && Self.net(draft, "4424") == to4424)
        #expect(Self.net(draft, "6588") == to6588 && Self.net(draft, "7588") == to7588)
        #expect(draft.externalRef == "vat_closing:2026-03" && draft.lines.allSatisfy { $0.source?.type == "filing" })
    }
}
