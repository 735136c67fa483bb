import Application
import ArgumentParser
import Assembly
import Banking
import BankingApp
import Foundation
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct FXCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fx", abstract: "Exchange rates: BNR reference rates (nbrfxrates.xml).",
        subcommands: [Import.self, Rate.self, Convention.self, Revalue.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a BNR rates file (the daily nbrfxrates.xml or a yearly nbrfxratesYYYY.xml), or download it with --url.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A local file.") var file: String?
        @Option(help: "Download from this URL instead, e.g. https://www.bnr.ro/nbrfxrates.xml.") var url: String?

        func run() async throws {
            let data: Data
            switch (file, url) {
            case (let file?, nil): data = try Data(contentsOf: URL(fileURLWithPath: file))
            case (nil, let url?):
                guard let address = URL(string: url), address.scheme == "https" || address.scheme == "http" else {
                    throw CLIError(message: "--url: give an http(s) address")
                }
                let (body, response) = try await URLSession(configuration: .ephemeral).data(from: address)
                guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                    throw CLIError(message: "\(url): the server did not answer 200")
                }
                data = body
            default: throw CLIError(message: "Give a FILE or --url, not both.")
            }
            let report = try await CLI.run(try global.configuration()) { culise in
                try await culise.importBNRRates(data, actor: .system("fx import"))
            }
            print(
                "Imported \(report.rates) rates for \(report.days) days (\(report.first.map(\.iso) ?? "-") … \(report.last.map(\.iso) ?? "-")); \(report.new) new."
            )
        }
    }

    struct Rate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The BNR rate that applies to a currency on a date.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "ISO currency, e.g. EUR.") var currency: String
        @Option(help: "The date (default today).") var date: String?

        func run() async throws {
            let parsed = try parseDate(date, field: "date")
            let (day, rate, convention) = try await CLI.run(try global.configuration()) { culise in
                let day = parsed ?? culise.today
                return (day, try await culise.exchangeRate(currency: currency.uppercased(), on: day), try await culise.rateConvention())
            }
            print(
                "1 \(rate.currency) = \(rate.ronPerUnit) RON on \(day) (BNR rate published \(rate.published), convention \(convention.rawValue))"
            )
        }
    }

    struct Convention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Which published rate applies to a date: previous (the rate published on the previous banking day; default) or same-day.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "previous or same-day.") var value: String

        func run() async throws {
            guard let convention = RateConvention(rawValue: value) else { throw CLIError(message: "Use previous or same-day.") }
            try await CLI.run(try global.configuration()) { culise in
                try await culise.setRateConvention(convention, actor: .system("fx convention"))
            }
            print("Rate convention: \(convention.rawValue)")
        }
    }
}
