import Application
import ArgumentParser
import Assembly
import BankingApp
import Companies
import EFactura
import Foundation
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

struct InvoiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "invoice", abstract: "Customer invoices and credit notes.",
        subcommands: [Issue.self, List.self, Show.self, Credit.self, ExportUBL.self, PDF.self, Email.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue an invoice: next number in the series, ledger entry, e-Factura XML.",
            discussion: """
                Lines are PRODUCT:QUANTITY[:PRICE], e.g. --line LAPTOP:2 --line INSTAL:3:140. Or give the whole document as JSON
                with --file (the /api/v1/invoices body).
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Partner code.") var partner: String?
        @Option(help: "Series (default: the company's default series).") var series: String?
        @Option(help: "Issue date YYYY-MM-DD (default today).") var date: String?
        @Option(help: "Supply date, when it differs from the issue date; the VAT rate follows it.") var supplyDate: String?
        @Option(help: "Due date (default: issue date + the partner's payment term).") var dueDate: String?
        @Option(help: "Currency (default RON).") var currency: String?
        @Option(help: "RON per unit of a foreign currency.") var rate: String?
        @Option(help: "A line: PRODUCT:QUANTITY[:PRICE].") var line: [String] = []
        @Option(help: "A JSON document (the API's invoice body).") var file: String?

        func run() async throws {
            var input: DocumentInput
            if let file {
                let decoder = JSONDecoder()
                decoder.keyDecodingStrategy = .convertFromSnakeCase
                do { input = try decoder.decode(DocumentInput.self, from: try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
                    throw CLIError(message: "--file: \(error)")
                }
            } else {
                guard let partner else { throw CLIError(message: "To issue an invoice, you must give --partner (or --file).") }
                let lines = try line.map { text -> LineInput in
                    let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 2 || parts.count == 3 else {
                        throw CLIError(message: "--line \(text): write PRODUCT:QUANTITY or PRODUCT:QUANTITY:PRICE")
                    }
                    return LineInput(product: parts[0], quantity: parts[1], unitPrice: parts.count == 3 ? parts[2] : nil)
                }
                input = DocumentInput(
                    partner: partner, series: series, issueDate: date, supplyDate: supplyDate, dueDate: dueDate, currency: currency,
                    exchangeRate: rate,
                    lines: lines)
            }
            let final = input
            try await CLI.inCompany(global, target) { culise, company in
                let invoice = try await culise.issueInvoice(company: company.id, final, actor: .system("invoice issue"))
                print(
                    "\(invoice.number ?? "") \(invoice.issueDate) \(invoice.partner) \(DecimalText.amount(invoice.total.minorUnits)) \(invoice.currency) entry \(invoice.entryID ?? 0)"
                )
                for warning in invoice.warnings { print("warning: \(warning)") }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List invoices, newest first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "draft, issued, partially_paid, paid, cancelled.") var state: String?
        @Option(help: "Partner code.") var partner: String?
        @Option(help: "From issue date.") var from: String?
        @Option(help: "To issue date.") var to: String?
        @Option(help: "At most this many (1–500).") var limit = 100
        @Option(help: "table or json.") var format: ReportFormat = .table

        func run() async throws {
            let filter = InvoiceFilter(
                state: state, partner: partner, from: try parseDate(from, field: "from"), to: try parseDate(to, field: "to"))
            try await CLI.inCompany(global, target) { culise, company in
                let page = try await culise.invoices(
                    company: company.id, filter: filter, page: try PageRequest(limit: limit), actor: .system("invoice list"))
                if format == .json { return try printJSON(page.items.map(InvoiceSummary.init)) }
                for invoice in page.items {
                    let fields = [
                        (invoice.number ?? "(draft)").padding(toLength: 14, withPad: " ", startingAt: 0), invoice.issueDate.iso,
                        invoice.type.rawValue, invoice.partner.padding(toLength: 10, withPad: " ", startingAt: 0),
                        DecimalText.amount(invoice.total.minorUnits).leftPadded(12),
                        DecimalText.amount(invoice.open.minorUnits).leftPadded(12), invoice.currency.code,
                        invoice.state.rawValue, invoice.efactura?.state ?? "",
                    ]
                    print(fields.joined(separator: "  "))
                }
                print("\(page.items.count) of \(page.total)")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one invoice by number (or id) as JSON.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "Invoice number (EXD-1042, or EXD-1/2026 when the number exists in several years) or id.") var number: String
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years (or write EXD-1/2026).") var year:
            Int?

        func run() async throws {
            try await CLI.inCompany(global, target) { culise, company in
                let invoice =
                    if let id = InvoiceID(string: number) {
                        try await culise.invoice(company: company.id, id: id, actor: .system("invoice show"))
                    } else {
                        try await culise.invoice(company: company.id, number: number, year: year, actor: .system("invoice show"))
                    }
                try printJSON(InvoiceSummary(invoice))
            }
        }
    }

    struct Credit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a full credit note for an invoice (storno).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "Invoice number (EXD-1042, or EXD-1/2026 when the number exists in several years).") var number: String
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years (or write EXD-1/2026).") var year:
            Int?
        @Option(help: "Reason printed on the credit note.") var reason: String?

        func run() async throws {
            try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("invoice credit")
                let invoice = try await culise.invoice(company: company.id, number: number, year: year, actor: actor)
                let credit = try await culise.creditInvoice(company: company.id, id: invoice.id, lines: nil, reason: reason, actor: actor)
                print("\(credit.number ?? "") credits \(number): \(DecimalText.amount(credit.total.minorUnits)) \(credit.currency)")
            }
        }
    }

    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the A4 PDF of an invoice or credit note.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Invoice number (EXD-1042, or EXD-1/2026 when the number exists in several years).") var number: String
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years.") var year: Int?
        @Option(help: "ro (default) or en: labels and number format.") var lang = "ro"
        @Option(help: "The PDF file to write.") var out: String

        func run() async throws {
            guard let locale = NumberLocale(rawValue: lang) else { throw CLIError(message: "--lang: use ro or en.") }
            let (name, data) = try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("invoice pdf")
                let invoice = try await culise.invoice(company: company.id, number: number, year: year, actor: actor)
                return try await culise.invoicePDF(company: company.id, id: invoice.id, locale: locale, actor: actor)
            }
            try data.write(to: URL(fileURLWithPath: out))
            print("wrote \(name) (\(data.count) bytes) to \(out)")
        }
    }

    struct Email: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "E-mail an issued invoice with its PDF and XML (queued; serve or `culise jobs work` sends it).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "Invoice number (EXD-1042, or EXD-1/2026 when the number exists in several years).") var number: String
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years.") var year: Int?
        @Option(help: "Recipient (default: the partner's billing contact, else the partner's e-mail).") var to: String?
        @Option(help: "ro (default) or en.") var lang = "ro"
        @Flag(help: "Send it now from this process instead of waiting for the queue (needs CULISE_SMTP_HOST).") var now = false

        func run() async throws {
            let configuration = try global.configuration()
            let mail = try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("invoice email")
                let invoice = try await culise.invoice(company: company.id, number: number, year: year, actor: actor)
                let mail = try await culise.emailInvoice(company: company.id, id: invoice.id, to: to, language: lang, actor: actor)
                if now {
                    let worker = JobWorker(culise: culise, handlers: CLI.jobHandlers(configuration), batch: 1)
                    while try await worker.runOnce() > 0 {}
                }
                let log = try await culise.mailLog(
                    company: company.id, entity: "invoice", entityID: invoice.id.description, page: .first, actor: actor)
                return log.items.first { $0.id == mail.id } ?? mail
            }
            print(
                "\(mail.state): \(mail.subject) → \(mail.to) [\(mail.attachments.joined(separator: ", "))]\(mail.lastError.map { " — \($0)" } ?? "")"
            )
        }
    }

    struct ExportUBL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-ubl",
            abstract:
                "Write one UBL XML per issued invoice and credit note (NUMBER_YEAR.xml, unique when numbering restarts) into a folder.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "One invoice number.") var number: String?
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years (or write EXD-1/2026).") var year:
            Int?
        @Flag(help: "Every issued invoice and credit note.") var all = false
        @Option(help: "Output folder (created if missing).") var out: String

        func run() async throws {
            guard (number != nil) != all else { throw CLIError(message: "Give exactly one of --number N and --all.") }
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("invoice export-ubl")
                func write(_ number: String, _ year: Int, _ xml: String) throws {
                    try Data(xml.utf8).write(to: folder.appendingPathComponent(Culise.exportFileName(number: number, year: year)))
                }
                if let number {
                    let invoice = try await culise.invoice(company: company.id, number: number, year: year, actor: actor)
                    let (_, xml) = try await culise.invoiceXML(company: company.id, id: invoice.id, actor: actor)
                    try write(invoice.number ?? number, invoice.issueDate.year, xml)
                    print("wrote 1 file to \(folder.path)")
                    return
                }
                var after: String?
                var count = 0
                let started = Date()
                while true {
                    let batch = try await culise.issuedXML(company: company.id, after: after, limit: 1_000, actor: actor)
                    for item in batch { try write(item.number, item.year, item.xml) }
                    count += batch.count
                    if count > 0 && count % 5_000 < batch.count { FileHandle.standardError.write(Data("… \(count) files\n".utf8)) }
                    guard let last = batch.last, batch.count == 1_000 else { break }
                    after = last.id
                }
                print(String(format: "wrote %d files to %@ in %.2f s", count, folder.path, Date().timeIntervalSince(started)))
            }
        }
    }
}

/// The CLI's JSON view of an invoice.
struct InvoiceSummary: Encodable {
    let id: String
    let number: String?
    let type: String
    let state: String
    let partner: String
    let issueDate: String
    let dueDate: String?
    let currency: String
    let total: String
    let paid: String
    let open: String
    let entryId: Int64?
    let efactura: String?
    let deadline: String?

    init(_ invoice: InvoiceRecord) {
        id = invoice.id.description
        number = invoice.number
        type = invoice.type.rawValue
        state = invoice.state.rawValue
        partner = invoice.partner
        issueDate = invoice.issueDate.iso
        dueDate = invoice.dueDate?.iso
        currency = invoice.currency.code
        total = DecimalText.amount(invoice.total.minorUnits)
        paid = DecimalText.amount(invoice.paid.minorUnits)
        open = DecimalText.amount(invoice.open.minorUnits)
        entryId = invoice.entryID
        efactura = invoice.efactura?.state
        deadline = invoice.efactura?.deadline.iso
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}

struct EFacturaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "efactura", abstract: "RO e-Factura: ingest supplier e-invoices, send invoices, show the outbox.",
        subcommands: [Ingest.self, Send.self, Status.self])

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ingest UBL XML files, a folder of them, or SPV ZIPs into draft supplier bills.",
            discussion:
                "Prints one line per document (created, duplicate, or refused with its reason); exits 1 only when a document was refused.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Argument(help: "A .xml or .zip file, or a folder.") var path: String
        @Flag(help: "Keep documents addressed to another buyer (as bills with a warning) instead of refusing them.")
        var acceptOtherBuyer = false

        func run() async throws {
            var files: [(name: String, data: Data)] = []
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw CLIError(message: "\(path): no such file or folder")
            }
            if isFolder.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter {
                    $0.lowercased().hasSuffix(".xml") || $0.lowercased().hasSuffix(".zip")
                }
                .sorted()
                guard names.count <= Limits.ingestDocuments else {
                    throw CLIError(message: "\(path) holds \(names.count) files; the limit per run is \(Limits.ingestDocuments).")
                }
                for name in names { files.append((name, try Data(contentsOf: URL(fileURLWithPath: path).appendingPathComponent(name)))) }
            } else {
                files.append((URL(fileURLWithPath: path).lastPathComponent, try Data(contentsOf: URL(fileURLWithPath: path))))
            }
            let outcomes = try await CLI.inCompany(global, target) { culise, company in
                try await culise.ingestEInvoices(
                    company: company.id, files: files, acceptOtherBuyer: acceptOtherBuyer, actor: .system("efactura ingest"))
            }
            for outcome in outcomes {
                print("\(outcome.result.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(outcome.file): \(outcome.message)")
                for warning in outcome.warnings { print("          warning: \(warning)") }
            }
            let counts = Dictionary(grouping: outcomes, by: \.result).mapValues(\.count)
            print("\(counts[.created] ?? 0) created, \(counts[.duplicate] ?? 0) duplicate, \(counts[.refused] ?? 0) refused")
            if outcomes.contains(where: { $0.result == .refused }) { throw ExitCode(1) }
        }
    }

    struct ANAFOptions: ParsableArguments {
        @Option(help: "ANAF e-Factura REST base URL (env CULISE_ANAF_URL).") var anafURL: String?
        @Option(help: "OAuth2 bearer token (env CULISE_ANAF_TOKEN; prefer the environment to keep it out of shell history).") var anafToken:
            String?

        func client(_ global: GlobalOptions) throws -> ANAFClient {
            let environment = ProcessInfo.processInfo.environment
            guard let text = anafURL ?? environment["CULISE_ANAF_URL"], let url = URL(string: text) else {
                throw CLIError(message: "To send to e-Factura, you must set CULISE_ANAF_URL (or --anaf-url) and CULISE_ANAF_TOKEN.")
            }
            guard let token = anafToken ?? environment["CULISE_ANAF_TOKEN"], !token.isEmpty else {
                throw CLIError(message: "To send to e-Factura, you must set CULISE_ANAF_TOKEN.")
            }
            return ANAFClient(ANAFConfiguration(baseURL: url, token: token))
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload issued invoices to e-Factura (each at most once).")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var anaf: ANAFOptions
        @Option(help: "One invoice number.") var number: String?
        @Option(help: "The year the invoice was issued in, needed when its number exists in several years (or write EXD-1/2026).") var year:
            Int?
        @Flag(help: "Every invoice waiting in the outbox.") var allPending = false

        func run() async throws {
            guard (number != nil) != allPending else { throw CLIError(message: "Give exactly one of --number N and --all-pending.") }
            let client = try anaf.client(global)
            try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("efactura send")
                var ids: [(InvoiceID, String)] = []
                if let number {
                    let invoice = try await culise.invoice(company: company.id, number: number, year: year, actor: actor)
                    ids = [(invoice.id, number)]
                } else {
                    // Every pending invoice, page by page (the list is read before sending, so states changing under it do not skip any).
                    var offset = 0
                    while true {
                        let page = try await culise.outbox(
                            company: company.id, pendingOnly: true, limit: 1_000, offset: offset, actor: actor)
                        ids += page.filter { ["validated", "failed", "upload_unknown"].contains($0.state) }.map { ($0.invoice, $0.number) }
                        guard page.count == 1_000 else { break }
                        offset += page.count
                    }
                }
                for (id, number) in ids {
                    let status = try await culise.sendEFactura(company: company.id, id: id, client: client, actor: actor)
                    print(
                        "\(number): \(status.state)\(status.uploadIndex.map { " (index \($0))" } ?? "")\(status.errors.isEmpty ? "" : " — " + status.errors.joined(separator: "; "))"
                    )
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the outbox by deadline; --refresh asks ANAF about uploaded invoices first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @OptionGroup var anaf: ANAFOptions
        @Flag(help: "Ask ANAF for the state of uploaded invoices.") var refresh = false
        @Flag(help: "Only invoices not yet accepted.") var pending = false

        func run() async throws {
            let client = refresh ? try anaf.client(global) : nil
            try await CLI.inCompany(global, target) { culise, company in
                let actor = Actor.system("efactura status")
                if let client { try await culise.refreshEFactura(company: company.id, client: client, actor: actor) }
                var offset = 0
                var items: [OutboxItem] = []
                while true {
                    let page = try await culise.outbox(
                        company: company.id, pendingOnly: pending, limit: 1_000, offset: offset, actor: actor)
                    items += page
                    guard page.count == 1_000 else { break }
                    offset += page.count
                }
                for item in items {
                    let left = item.state == "accepted" ? "" : "  \(item.daysLeft) working-day deadline \(item.deadline)"
                    print(
                        "\(item.number.padding(toLength: 14, withPad: " ", startingAt: 0)) \(item.state)\(left)\(item.errors.isEmpty ? "" : "  " + item.errors.joined(separator: "; "))"
                    )
                }
            }
        }
    }
}

extension ReportCommand {
    struct Aging: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "AR or AP aging per partner: current, 1–30, 31–60, 61–90, over 90 days.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var target: CompanyOption
        @Option(help: "receivable (4111) or payable (401).") var side = "receivable"
        @Option(help: "As of this date (default today).") var asOf: String?
        @Option(help: "table, csv or json.") var format: ReportFormat = .table

        func run() async throws {
            let parsed = try parseDate(asOf, field: "as-of")
            try await CLI.inCompany(global, target) { culise, company in
                let date = parsed ?? culise.today
                let report = try await culise.aging(company: company.id, side: side, asOf: date, actor: .system("report aging"))
                if format == .json { return try printJSON(report) }
                let buckets = AgingBucket.allCases.map(\.rawValue)
                let header = ["partner"] + buckets + ["unallocated", "total"]
                print(format == .csv ? header.joined(separator: ",") : header.map { $0.leftPadded(12) }.joined(separator: " "))
                for row in report.rows + [
                    AgingRow(partner: "TOTAL", name: nil, buckets: report.totals, unallocated: report.unallocated, total: report.total)
                ] {
                    let cells =
                        [row.partner] + buckets.map { DecimalText.amount(row.buckets[$0] ?? 0) } + [
                            DecimalText.amount(row.unallocated), DecimalText.amount(row.total),
                        ]
                    print(format == .csv ? cells.joined(separator: ",") : cells.map { $0.leftPadded(12) }.joined(separator: " "))
                }
            }
        }
    }
}
