import Application
import Assembly
import BankingApp
import Foundation
import HTTPTypes
import HummingbirdTesting
import InvoicingApp
import Kernel
import Ledger
import LedgerApp
import PartnersApp
import TestSupport
import Testing

@testable import Web

/// Issue 10's property: after any sequence of API calls, accepted or refused, `ledger verify` holds and every report
/// answers. Random entries through `/api/v1/entries` with amounts at the limits (1, the ceiling, just past it, storno),
/// bulk entries of 2 × 500 ceiling lines that drive the company's ledger volume to its bound, foreign lines at the
/// extreme rates, drafts and reversals. No request may answer 5xx; refusals are expected and nothing they touch changes.
@Suite struct LedgerPropertyTests {
    static let accounts = ["5121", "5311", "371", "607", "707", "4426", "4427", "627", "1012", "641", "421"]
    static let reports = [
        "/api/v1/reports/trial-balance", "/api/v1/reports/trial-balance?format=csv", "/api/v1/reports/balance-sheet",
        "/api/v1/reports/profit-loss", "/api/v1/reports/account-sheet?account=5121", "/api/v1/reports/account-sheet?account=1012",
        "/api/v1/reports/partner-balances?account=4111", "/api/v1/entries?limit=500",
    ]

    static func text(_ minor: Int64) -> String { Money(minorUnits: minor, currency: .ron).decimalString }

    static func amount(_ random: inout SeededRandom) -> Int64 {
        switch random.below(6) {
        case 0: return 1
        case 1: return Limits.amountMinorUnits
        case 2: return Limits.amountMinorUnits - Int64(random.below(1000))
        case 3: return Int64.random(in: 1...Limits.amountMinorUnits, using: &random)
        default: return Int64.random(in: 1...10_000_000, using: &random)
        }
    }

    static func line(_ account: String, debit: Int64 = 0, credit: Int64 = 0, extra: String = "") -> String {
        let side = debit != 0 ? #""debit":"\#(text(debit))""# : #""credit":"\#(text(credit))""#
        return #"{"account":"\#(account)",\#(side)\#(extra)}"#
    }

    static func entry(_ lines: [String], date: String, post: Bool = true) -> String {
        #"{"journal":"GEN","date":"\#(date)","description":"property","post":\#(post),"lines":[\#(lines.joined(separator: ","))]}"#
    }

    static func randomEntry(_ random: inout SeededRandom) -> (body: String, mayPass: Bool) {
        let date =
            "202\(4 + random.below(3))-\(String(format: "%02d", 1 + random.below(12)))-\(String(format: "%02d", 1 + random.below(28)))"
        switch random.below(8) {
        case 0:
            // Bulk: 2 × n lines at the ceiling (10^17 of volume at n = 500).
            let n = 250 + random.below(251)
            let lines =
                Array(repeating: line("5121", debit: Limits.amountMinorUnits), count: n)
                + Array(repeating: line("1012", credit: Limits.amountMinorUnits), count: n)
            return (entry(lines, date: date), true)
        case 1:
            // Past the ceiling: always refused.
            let over = Limits.amountMinorUnits + 1 + Int64(random.below(1_000_000))
            return (entry([line("5121", debit: over), line("1012", credit: over)], date: date), false)
        case 2:
            // A foreign line at an extreme rate, balanced in RON.
            let rate = ["0.0001", "1", "4.9765", "10000"][random.below(4)]
            let decimal = Decimal(string: rate) ?? 1
            let maximum = min(
                Limits.amountMinorUnits, Int64(truncating: NSDecimalNumber(decimal: Decimal(Limits.amountMinorUnits) / decimal)))
            let foreign = Int64.random(in: 1...max(1, maximum), using: &random)
            let ron = Rounding.functionalAmount(foreignMinor: foreign, rate: decimal)
            guard ron > 0, ron <= Limits.amountMinorUnits else {
                return (entry([line("5121", debit: 1), line("1012", credit: 1)], date: date), true)
            }
            return (
                entry(
                    [
                        line("5121", debit: ron, extra: #","currency":"EUR","amount_currency":"\#(text(foreign))","rate":"\#(rate)""#),
                        line("1012", credit: ron),
                    ], date: date), true
            )
        default:
            // Ordinary lines with amounts at the edges, sometimes storno (negative), balanced by a last line.
            var lines: [String] = []
            var balance: Int64 = 0
            for index in 0..<(1 + random.below(5)) {
                let value = amount(&random) * (random.below(10) == 0 ? -1 : 1)
                let account = accounts[random.below(accounts.count)]
                if index % 2 == 0 {
                    lines.append(line(account, debit: value))
                    balance += value
                } else {
                    lines.append(line(account, credit: value))
                    balance -= value
                }
            }
            if balance == 0 { return (entry(lines + [line("5121", debit: 5), line("707", credit: 5)], date: date), true) }
            let closing = balance > 0 ? line("1012", credit: balance) : line("1012", debit: -balance)
            return (entry(lines + [closing], date: date, post: random.below(6) != 0), balance.magnitude <= UInt64(Limits.amountMinorUnits))
        }
    }

    static func everyReportAnswers(_ browser: Browser, token: String, _ culise: Culise, _ company: CompanyID, _ actor: Actor) async throws {
        for path in reports {
            let response = try await browser.api(.get, path, token: token)
            #expect(response.status == .ok, "\(path): \(response.status) \(response.text.prefix(300))")
        }
        let verified = try await culise.verifyLedger(company: company, actor: actor)
        #expect(verified.isIntact, "\(verified)")
        let balance = try await culise.trialBalance(company: company, from: nil, to: nil, actor: actor)
        #expect(balance.equalitiesHold)
    }

    @Test(arguments: Engine.available)
    func verifyAndEveryReportAnswerAfterAnySequence(_ engine: Engine) async throws {
        try await Web.test(engine) { culise, _, browser in
            let (company, user, admin) = try await Fixtures.companyWithAdmin(culise)
            let (_, token) = try await culise.createToken(user: user, company: company, name: "t", actor: .user(admin))
            var random = SeededRandom(state: 20_261_206)
            var posted: [String] = []
            var counts: [Int: Int] = [:]
            var volumeRefusals = 0
            let steps = 160
            for step in 0..<steps {
                let response: TestResponse
                if random.below(10) == 0, let id = posted.randomElement(using: &random) {
                    response = try await browser.api(.post, "/api/v1/entries/\(id)/reverse", token: token, json: "{}")
                } else {
                    let (body, mayPass) = Self.randomEntry(&random)
                    response = try await browser.api(.post, "/api/v1/entries", token: token, json: body)
                    if !mayPass { #expect(response.status == .unprocessableContent, "step \(step): \(response.text.prefix(300))") }
                }
                #expect(response.status.code < 500, "step \(step): \(response.status) \(response.text.prefix(300))")
                counts[response.status.code, default: 0] += 1
                if response.text.contains("ledger.volume_exceeded") { volumeRefusals += 1 }
                if response.status == .created, let id = response.json["id"] { posted.append("\(id)") }
                if step % 40 == 39 { try await Self.everyReportAnswers(browser, token: token, culise, company, .user(admin)) }
            }
            try await Self.everyReportAnswers(browser, token: token, culise, company, .user(admin))
            print(
                "property [\(engine)]: \(steps) calls, statuses \(counts.sorted { $0.key < $1.key }), \(posted.count) entries, volume bound reached \(volumeRefusals) times"
            )
            #expect(volumeRefusals > 0, "the sequence never reached the ledger volume bound")
        }
    }
}
