import Foundation
import Kernel
import Ledger
import Testing

/// F10 and F20 as data (issue 16 item 6): the row mapping takes every account of the chart with a balance on the side
/// its function allows, totals may stand above their rows, the control row is zero for balanced books, the CSV.
@Suite struct AnnualStatementsTests {
    @Test func theMappingTakesEveryAccountOfTheChart() {
        let layouts = AnnualStatements.layouts
        var missing: [String] = []
        for account in RomanianChart.accounts where !account.code.hasPrefix("8") && !account.code.hasPrefix("9") {
            // An asset's debit balance, a liability's credit balance, a bifunctional account's either.
            let sides: [Int64] =
                switch account.type {
                case .activ: [1]
                case .pasiv: [-1]
                case .bifunctional: [1, -1]
                }
            for side in sides where !AnnualStatements.unmapped([account.code: side], layout: layouts.f10).isEmpty {
                missing.append("F10 \(account.code) \(side > 0 ? "D" : "C")")
            }
            if account.code.hasPrefix("6") || account.code.hasPrefix("7") {
                for side in sides where !AnnualStatements.unmapped([account.code: side], layout: layouts.f20).isEmpty {
                    missing.append("F20 \(account.code) \(side > 0 ? "D" : "C")")
                }
            }
        }
        #expect(missing.isEmpty, "\(missing)")
        // Off-balance accounts are in neither; an account outside the chart's groups is named.
        #expect(AnnualStatements.unmapped(["8035": 100, "931": -5], layout: layouts.f10).isEmpty)
        #expect(AnnualStatements.unmapped(["0999": 100], layout: layouts.f10) == ["0999"])
    }

    @Test func balancedBooksGiveAZeroControlAndTheResultTwice() {
        // Capital 1,000 paid in; goods bought 300 on credit and sold for 500 cash; 100 of wages owed.
        let end: [String: Int64] = [
            "1012": -100_000, "5121": 150_000, "371": 0, "401": -30_000, "4111": 0, "421": -10_000, "707": -50_000, "607": 30_000,
            "641": 10_000, "5311": 0,
        ]
        let f10 = AnnualStatements.f10(start: [:], end: end)
        func value(_ rows: [AnnualStatements.Row], _ code: String) -> Int64? { rows.first { $0.code == code }?.current }
        #expect(value(f10, "CHK") == 0)
        #expect(value(f10, "08") == 150_000 && value(f10, "11") == 40_000 && value(f10, "24") == 10_000 && value(f10, "27") == 110_000)
        let f20 = AnnualStatements.f20(prior: ["707": -20_000], current: end)
        // Row 01 stands above the rows it adds.
        #expect(f20.first?.code == "01" && value(f20, "01") == 50_000 && f20.first?.previous == 20_000)
        #expect(value(f20, "30") == 10_000 && value(f20, "30") == value(f10, "24"))
        let csv = AnnualStatements.csv(f10: f10, f20: f20)
        #expect(csv.hasPrefix("formular,rand,denumire,precedent,curent\r\n") && csv.contains("F20,30,") && csv.contains(",0.00,100.00\r\n"))
        #expect(AnnualStatements.csv(f10: f10, f20: f20, language: "en").hasPrefix("form,row,label,previous,current"))
    }
}
