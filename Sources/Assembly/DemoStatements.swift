import Application
import Foundation
import Kernel
import Ledger
import LedgerApp

extension Culise {
    /// The demo company's previous year, kept short and closed (issue 16 item 6): the capital paid in, equipment bought
    /// and depreciated, each month's sales, purchases, salaries, rent and the VAT settled and paid, the profit tax at the
    /// end, the year closed into 121. Its F10 and F20 (`culise report financial-statements --year …`) are built from it.
    /// Idempotent: a closed year is left as it is.
    func seedStatementsDemo(company: CompanyID) async throws {
        let actor = Actor.system("demo")
        let year = LocalDate.today(now: clock()).year - 1
        let end = try LocalDate(year: year, month: 12, day: 31)
        if try await financialStatements(company: company, year: year, actor: actor).closed { return }
        func day(_ month: Int, _ day: Int) throws -> LocalDate { try LocalDate(year: year, month: month, day: day) }
        func post(_ date: LocalDate, _ text: String, _ lines: [EntryLine]) async throws {
            _ = try await postEntry(company: company, EntryDraft(journal: "GEN", date: date, description: text, lines: lines), actor: actor)
        }
        // Minor units.
        try await post(
            try day(1, 2), "Capital social vărsat",
            [EntryLine(account: "5121", debit: 20_000_000), EntryLine(account: "1012", credit: 20_000_000)])
        try await post(
            try day(1, 15), "Echipamente IT (factura TR-1)",
            [
                EntryLine(account: "2131", debit: 6_000_000), EntryLine(account: "4426", debit: 1_140_000),
                EntryLine(account: "404", credit: 7_140_000, partner: "TRANS"),
            ])
        try await post(
            try day(1, 20), "Plată echipamente",
            [EntryLine(account: "404", debit: 7_140_000, partner: "TRANS"), EntryLine(account: "5121", credit: 7_140_000)])
        var taxable: Int64 = 0
        for month in 1...12 {
            // 19 % until July 2025, 21 % from August (Law 141/2025); other years take 21 %.
            let rate: Int64 = year == 2025 && month < 8 ? 19 : 21
            let sales = Int64(9_000_000 + month * 150_000)
            let goods = sales * 6 / 10
            let wages = Int64(1_800_000)
            let rent = Int64(500_000)
            let last = YearMonth(try day(month, 1)).lastDay
            let saleVAT = sales * rate / 100
            let buyVAT = (goods + rent) * rate / 100
            try await post(
                try day(month, 5), "Mărfuri cumpărate",
                [
                    EntryLine(account: "371", debit: goods), EntryLine(account: "4426", debit: goods * rate / 100),
                    EntryLine(account: "401", credit: goods + goods * rate / 100, partner: "PAPER"),
                ])
            try await post(
                try day(month, 10), "Chirie",
                [
                    EntryLine(account: "612", debit: rent), EntryLine(account: "4426", debit: rent * rate / 100),
                    EntryLine(account: "401", credit: rent + rent * rate / 100, partner: "ENEL"),
                ])
            try await post(
                try day(month, 20), "Vânzări de mărfuri",
                [
                    EntryLine(account: "4111", debit: sales + saleVAT, partner: "ALFA"), EntryLine(account: "707", credit: sales),
                    EntryLine(account: "4427", credit: saleVAT),
                ])
            try await post(
                try day(month, 20), "Descărcarea gestiunii",
                [EntryLine(account: "607", debit: goods), EntryLine(account: "371", credit: goods)])
            try await post(
                try day(month, 25), "Salarii",
                [
                    EntryLine(account: "641", debit: wages), EntryLine(account: "421", credit: 1_053_000),
                    EntryLine(account: "4315", credit: 450_000), EntryLine(account: "4316", credit: 180_000),
                    EntryLine(account: "444", credit: 117_000),
                ])
            try await post(
                try day(month, 25), "Contribuția asiguratorie pentru muncă",
                [EntryLine(account: "646", debit: 40_500), EntryLine(account: "436", credit: 40_500)])
            try await post(
                last, "Încasări ale lunii",
                [EntryLine(account: "5121", debit: sales + saleVAT), EntryLine(account: "4111", credit: sales + saleVAT, partner: "ALFA")])
            try await post(
                last, "Plăți ale lunii",
                [
                    EntryLine(account: "401", debit: goods + goods * rate / 100, partner: "PAPER"),
                    EntryLine(account: "401", debit: rent + rent * rate / 100, partner: "ENEL"),
                    EntryLine(account: "421", debit: 1_053_000), EntryLine(account: "4315", debit: 450_000),
                    EntryLine(account: "4316", debit: 180_000),
                    EntryLine(account: "444", debit: 117_000), EntryLine(account: "436", debit: 40_500),
                    EntryLine(account: "5121", credit: goods + goods * rate / 100 + rent + rent * rate / 100 + 1_840_500),
                ])
            try await post(last, "Amortizare", [EntryLine(account: "6811", debit: 100_000), EntryLine(account: "2813", credit: 100_000)])
            let deductible = buyVAT + (month == 1 ? 1_140_000 : 0)
            try await post(
                last, "Regularizare TVA",
                saleVAT >= deductible
                    ? [
                        EntryLine(account: "4427", debit: saleVAT), EntryLine(account: "4426", credit: deductible),
                        EntryLine(account: "4423", credit: saleVAT - deductible),
                    ]
                    : [
                        EntryLine(account: "4427", debit: saleVAT), EntryLine(account: "4424", debit: deductible - saleVAT),
                        EntryLine(account: "4426", credit: deductible),
                    ])
            if saleVAT > deductible {
                try await post(
                    last, "Plată TVA",
                    [EntryLine(account: "4423", debit: saleVAT - deductible), EntryLine(account: "5121", credit: saleVAT - deductible)])
            }
            taxable += sales - goods - wages - 40_500 - rent - 100_000
        }
        // Profit tax, 16 %, owed at the year's end (paid the next year).
        try await post(
            end, "Impozit pe profit",
            [EntryLine(account: "691", debit: taxable * 16 / 100), EntryLine(account: "4411", credit: taxable * 16 / 100)])
        _ = try await closeFiscalYear(company: company, containing: end, actor: actor)
    }
}
