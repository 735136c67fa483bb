import Application
import Assembly
import BankingApp
import EFactura
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import Invoicing
import InvoicingApp
import Kernel
import LedgerApp
import PartnersApp

/// Amounts in the API are decimal strings ("1234.50"), never binary floating point.
struct DocumentLineDTO: Codable {
    let number: Int
    let product: String?
    let description: String
    let quantity: String
    let unit: String
    let unitPrice: String
    let net: String
    let vatCategory: String
    let vatPercent: String
    let exemptionReason: String?
    let account: String

    init(_ line: DocumentLine) {
        number = line.number
        product = line.productCode
        description = line.name
        quantity = DecimalText.plain(line.quantity)
        unit = line.unit
        unitPrice = DecimalText.plain(line.unitPrice)
        net = DecimalText.amount(line.net)
        vatCategory = line.vat.category.rawValue
        vatPercent = DecimalText.plain(line.vat.percent)
        exemptionReason = line.exemptionReason
        account = line.account
    }
}

struct TotalsDTO: Codable {
    let lines: String
    let allowances: String
    let charges: String
    let net: String
    let vat: String
    let total: String
    let payable: String
    let vatRon: String?
    let vatBreakdown: [[String: String]]

    init(_ totals: DocumentTotals) {
        lines = DecimalText.amount(totals.lineTotal)
        allowances = DecimalText.amount(totals.allowanceTotal)
        charges = DecimalText.amount(totals.chargeTotal)
        net = DecimalText.amount(totals.taxExclusive)
        vat = DecimalText.amount(totals.vatTotal)
        total = DecimalText.amount(totals.taxInclusive)
        payable = DecimalText.amount(totals.payable)
        vatRon = totals.vatTotalRON.map(DecimalText.amount)
        vatBreakdown = totals.breakdown.map {
            [
                "category": $0.key.category.rawValue, "percent": DecimalText.plain($0.key.percent),
                "taxable": DecimalText.amount($0.taxable),
                "vat": DecimalText.amount($0.amount),
            ]
        }
    }
}

struct InvoiceDTO: Codable {
    let id: String
    let type: String
    let state: String
    let series: String
    let number: String?
    let partner: String
    let buyerName: String
    let issueDate: String
    let supplyDate: String
    let dueDate: String?
    let currency: String
    let exchangeRate: String?
    let totals: TotalsDTO
    let paid: String
    let credited: String
    let open: String
    let entryId: Int64?
    let corrects: String?
    let lines: [DocumentLineDTO]
    let efactura: EFacturaDTO?
    let warnings: [String]

    init(_ invoice: InvoiceRecord) {
        id = invoice.id.description
        type = invoice.type.rawValue
        state = invoice.state.rawValue
        series = invoice.series
        number = invoice.number
        partner = invoice.partner
        buyerName = invoice.document.buyer.name
        issueDate = invoice.issueDate.iso
        supplyDate = invoice.document.supplyDate.iso
        dueDate = invoice.dueDate?.iso
        currency = invoice.currency.code
        exchangeRate = invoice.document.exchangeRate.map(DecimalText.plain)
        totals = TotalsDTO(invoice.document.totals)
        paid = DecimalText.amount(invoice.paid.minorUnits)
        credited = DecimalText.amount(invoice.credited.minorUnits)
        open = DecimalText.amount(invoice.open.minorUnits)
        entryId = invoice.entryID
        corrects = invoice.corrects?.description
        warnings = invoice.warnings
        lines = invoice.document.lines.map(DocumentLineDTO.init)
        efactura = invoice.efactura.map(EFacturaDTO.init)
    }
}

/// An invoice in a list (`GET /api/v1/invoices`): its columns and position without lines or totals per rate; the
/// whole invoice is `GET /api/v1/invoices/{id}`.
struct InvoiceSummaryDTO: Codable {
    let id: String
    let type: String
    let state: String
    let series: String
    let year: Int
    let number: String?
    let partner: String
    let partnerName: String
    let issueDate: String
    let dueDate: String?
    let currency: String
    let net: String
    let vat: String
    let total: String
    let totalRon: String
    let paid: String
    let credited: String
    let open: String
    let corrects: String?
    let efactura: EFacturaDTO?

    init(_ invoice: InvoiceSummary) {
        id = invoice.id.description
        type = invoice.type.rawValue
        state = invoice.state.rawValue
        series = invoice.series
        year = invoice.year
        number = invoice.number
        partner = invoice.partner
        partnerName = invoice.partnerName
        issueDate = invoice.issueDate.iso
        dueDate = invoice.dueDate?.iso
        currency = invoice.currency.code
        net = DecimalText.amount(invoice.net.minorUnits)
        vat = DecimalText.amount(invoice.vat.minorUnits)
        total = DecimalText.amount(invoice.total.minorUnits)
        totalRon = DecimalText.amount(invoice.totalRON.minorUnits)
        paid = DecimalText.amount(invoice.paid.minorUnits)
        credited = DecimalText.amount(invoice.credited.minorUnits)
        open = DecimalText.amount(invoice.open.minorUnits)
        corrects = invoice.corrects?.description
        efactura = invoice.efactura.map(EFacturaDTO.init)
    }
}

struct EFacturaDTO: Codable {
    let state: String
    let deadline: String
    let uploadIndex: String?
    let attempts: Int
    let errors: [String]

    init(_ status: EFacturaStatus) {
        state = status.state
        deadline = status.deadline.iso
        uploadIndex = status.uploadIndex
        attempts = status.attempts
        errors = status.errors
    }
}

struct BillDTO: Codable {
    struct Suggestion: Codable {
        let line: Int
        let account: String
        let confidence: String
        let explanation: String
    }

    let id: String
    let creditNote: Bool
    let state: String
    let partner: String
    let supplierName: String
    let number: String
    let issueDate: String
    let dueDate: String?
    let currency: String
    let totals: TotalsDTO
    let paid: String
    let open: String
    let entryId: Int64?
    let source: String
    let warnings: [String]
    let lines: [DocumentLineDTO]
    let suggestions: [Suggestion]

    init(_ bill: BillRecord) {
        id = bill.id.description
        creditNote = bill.isCreditNote
        state = bill.state.rawValue
        partner = bill.partner
        supplierName = bill.document.seller.name
        number = bill.number
        issueDate = bill.issueDate.iso
        dueDate = bill.dueDate?.iso
        currency = bill.currency.code
        totals = TotalsDTO(bill.document.totals)
        paid = DecimalText.amount(bill.paid.minorUnits)
        open = DecimalText.amount(bill.open.minorUnits)
        entryId = bill.entryID
        source = bill.source
        warnings = bill.warnings
        lines = bill.document.lines.map(DocumentLineDTO.init)
        suggestions = bill.suggestions.enumerated().compactMap { index, suggestion in
            suggestion.map {
                Suggestion(
                    line: index + 1, account: $0.account, confidence: String(format: "%.2f", $0.confidence), explanation: $0.explanation)
            }
        }
    }
}

struct PaymentDTO: Codable {
    let id: String
    let direction: String
    let partner: String
    let date: String
    let method: String
    let account: String
    let currency: String
    let amount: String
    let reference: String?
    let entryId: Int64
    let allocations: [[String: String]]
    let advance: String
    let writtenOff: String

    init(_ payment: PaymentRecord) {
        id = payment.id.description
        direction = payment.direction
        partner = payment.partner
        date = payment.date.iso
        method = payment.method
        account = payment.account
        currency = payment.currency.code
        amount = DecimalText.amount(payment.amount.minorUnits)
        reference = payment.reference
        entryId = payment.entryID
        allocations = payment.allocations.map {
            ["document_type": $0.documentType, "document_id": $0.documentID, "amount": DecimalText.amount($0.amount.minorUnits)]
        }
        advance = DecimalText.amount(payment.advance.minorUnits)
        writtenOff = DecimalText.amount(payment.writtenOff.minorUnits)
    }
}

/// `/api/v1` invoices, credit notes, bills, payments, aging, dunning and the e-Factura outbox.
struct InvoiceAPI: Sendable {
    let culise: Culise
    let anaf: ANAFClient?

    func register(protect: (Area, Access) -> Protected) {
        let read = protect(.invoicing, .read)
        let write = protect(.invoicing, .write)
        read.get("/api/v1/invoices", use: list)
        write.post("/api/v1/invoices", use: create)
        read.get("/api/v1/invoices/{id}", use: show)
        write.post("/api/v1/invoices/{id}/issue", use: issue)
        write.post("/api/v1/invoices/{id}/credit-notes", use: credit)
        read.get("/api/v1/invoices/{id}/ubl", use: ubl)
        read.get("/api/v1/invoices/{id}/pdf", use: pdf)
        write.post("/api/v1/invoices/{id}/email", use: email)
        read.get("/api/v1/mail", use: mailLog)
        write.post("/api/v1/invoices/{id}/efactura/send", use: send)
        write.post("/api/v1/invoices/{id}/efactura/correct", use: correct)
        read.get("/api/v1/efactura/outbox", use: outbox)
        write.post("/api/v1/efactura/refresh", use: refresh)
        read.get("/api/v1/bills", use: bills)
        write.post("/api/v1/bills", use: createBill)
        write.post("/api/v1/bills/ingest", use: ingest)
        read.get("/api/v1/bills/{id}", use: showBill)
        write.post("/api/v1/bills/{id}/post", use: postBill)
        read.get("/api/v1/payments", use: payments)
        write.post("/api/v1/payments", use: pay)
        read.get("/api/v1/payments/{id}", use: showPayment)
        read.get("/api/v1/reports/aging", use: aging)
        write.post("/api/v1/dunning-runs", use: dunning)
        read.get("/api/v1/invoicing/settings", use: settings)
        write.put("/api/v1/invoicing/settings", use: updateSettings)
        read.get("/api/v1/invoice-series", use: series)
        write.post("/api/v1/invoice-series", use: addSeries)
    }

    struct SettingsDTO: Codable {
        var defaultSeries: String
        var iban: String?
        var email: String?
        var phone: String?
        /// RON minor units (bani).
        var writeOffLimit: Int64
    }

    @Sendable func settings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let value = try await culise.invoiceSettings(company: p.companyID, actor: .user(p))
        return try JSON.response(
            SettingsDTO(
                defaultSeries: value.defaultSeries, iban: value.iban, email: value.email, phone: value.phone,
                writeOffLimit: value.writeOffLimit))
    }

    @Sendable func updateSettings(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let body = try JSON.decode(SettingsDTO.self, from: try await APIRoutes.body(request))
        try await culise.updateInvoiceSettings(
            company: p.companyID,
            InvoiceSettings(
                defaultSeries: body.defaultSeries, iban: body.iban, email: body.email, phone: body.phone, writeOffLimit: body.writeOffLimit),
            actor: .user(p))
        return try await settings(request, context: context)
    }

    struct SeriesDTO: Codable {
        var code: String
        var name: String?
        var year: Int?
        var firstNumber: Int64?
    }

    @Sendable func series(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let items = try await culise.series(company: p.companyID, actor: .user(p)).map { SeriesDTO(code: $0.code, name: $0.name) }
        return try JSON.response(["items": items])
    }

    /// Adds a series, or sets the first number of an existing series for a year (refused once that year has numbers).
    @Sendable func addSeries(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = try JSON.decode(SeriesDTO.self, from: buffer)
            try await culise.saveSeries(
                company: p.companyID, code: body.code, name: body.name, year: body.year, firstNumber: body.firstNumber, actor: .user(p))
            let code = body.code.trimmingCharacters(in: .whitespaces).uppercased()
            return try APIRoutes.encoded(
                SeriesDTO(code: code, name: body.name, year: body.year, firstNumber: body.firstNumber), status: .created)
        }
    }

    static func id<T>(_ context: WebContext, _ make: (String) -> T?) throws -> T {
        guard let text = context.parameters.get("id"), let id = make(text) else { throw WebError.notFound }
        return id
    }

    @Sendable func list(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        let filter = InvoiceFilter(
            state: LedgerAPI.query(request, "state"), partner: LedgerAPI.query(request, "partner"),
            from: LedgerAPI.date(request, "from", &problems),
            to: LedgerAPI.date(request, "to", &problems), type: LedgerAPI.query(request, "type"))
        try problems.throwIfAny()
        return try JSON.response(
            ListDTO(try await culise.invoiceSummaries(company: p.companyID, filter: filter, page: page, actor: .user(p))) {
                InvoiceSummaryDTO($0)
            })
    }

    struct CreateInvoice: Decodable {
        var draft: Bool?
    }

    /// Issues at once (the default) or saves a draft with `"draft": true`.
    @Sendable func create(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(DocumentInput.self, from: buffer)
            let draft = (try? JSON.decode(CreateInvoice.self, from: buffer))?.draft ?? false
            let record =
                draft
                ? try await culise.createInvoiceDraft(company: p.companyID, input, actor: .user(p))
                : try await culise.issueInvoice(company: p.companyID, input, actor: .user(p))
            return try APIRoutes.encoded(InvoiceDTO(record), status: .created)
        }
    }

    @Sendable func show(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        guard let text = context.parameters.get("id") else { throw WebError.notFound }
        let record =
            if let id = InvoiceID(string: text) {
                try await culise.invoice(company: p.companyID, id: id, actor: .user(p))
            } else {
                try await culise.invoice(
                    company: p.companyID, number: text, year: request.uri.queryParameters.get("year").flatMap { Int($0) }, actor: .user(p))
            }
        return try JSON.response(InvoiceDTO(record))
    }

    @Sendable func issue(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            try APIRoutes.encoded(InvoiceDTO(try await culise.issueDraft(company: p.companyID, id: id, actor: .user(p))), status: .ok)
        }
    }

    struct CreditRequest: Decodable {
        var lines: [Culise.CreditLine]?
        var reason: String?
    }

    @Sendable func credit(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = buffer.readableBytes == 0 ? CreditRequest() : try JSON.decode(CreditRequest.self, from: buffer)
            let record = try await culise.creditInvoice(
                company: p.companyID, id: id, lines: body.lines, reason: body.reason, actor: .user(p))
            return try APIRoutes.encoded(InvoiceDTO(record), status: .created)
        }
    }

    struct EmailRequest: Decodable {
        var to: String?
        var language: String?
    }

    /// Queues the invoice's e-mail with its PDF and XML; 202, sent by the job queue.
    @Sendable func email(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = buffer.readableBytes == 0 ? EmailRequest() : try JSON.decode(EmailRequest.self, from: buffer)
            if let language = body.language, !["ro", "en"].contains(language) {
                throw DomainError(
                    "mail.language", field: "language",
                    "You cannot write the e-mail in '\(language.prefix(20))' because the languages are ro and en.")
            }
            let mail = try await culise.emailInvoice(
                company: p.companyID, id: id, to: body.to, language: body.language ?? "ro", actor: .user(p))
            return try APIRoutes.encoded(mail, status: .accepted)
        }
    }

    /// The mail log, newest first; `invoice=ID` for one invoice's e-mails.
    @Sendable func mailLog(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let invoice = LedgerAPI.query(request, "invoice")
        let page = try await culise.mailLog(
            company: p.companyID, entity: invoice == nil ? nil : "invoice", entityID: invoice, page: try HTMLRoutes.pageRequest(request),
            actor: .user(p))
        return try JSON.response(["items": page.items])
    }

    /// The A4 PDF; `lang=en` for English labels and number format (Romanian by default).
    @Sendable func pdf(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        let locale = NumberLocale(rawValue: LedgerAPI.query(request, "lang") ?? "ro") ?? .ro
        let (name, data) = try await culise.invoicePDF(company: p.companyID, id: id, locale: locale, actor: .user(p))
        return InvoicePages.pdfResponse(name: name, data: data)
    }

    @Sendable func ubl(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        let (number, xml) = try await culise.invoiceXML(company: p.companyID, id: id, actor: .user(p))
        var headers = HTTPFields()
        headers[.contentType] = "application/xml; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"\(number.filter { $0.isLetter || $0.isNumber || $0 == "-" }).xml\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    func client() throws -> ANAFClient { try Self.required(anaf) }

    /// The configured ANAF client, or the error that says how to configure one.
    static func required(_ anaf: ANAFClient?) throws -> ANAFClient {
        guard let anaf else {
            throw DomainError(
                "efactura.not_configured", kind: .conflict,
                "To send to e-Factura, you must configure CULISE_ANAF_URL and CULISE_ANAF_TOKEN (see the README).")
        }
        return anaf
    }

    @Sendable func send(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        let client = try client()
        let status = try await culise.sendEFactura(company: p.companyID, id: id, client: client, actor: .user(p))
        return try JSON.response(EFacturaDTO(status))
    }

    struct Correction: Encodable {
        let creditNote: InvoiceDTO
        let reissued: InvoiceDTO
    }

    @Sendable func correct(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: InvoiceID = try Self.id(context) { InvoiceID(string: $0) }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { _ in
            let (credit, reissued) = try await culise.correctRejected(company: p.companyID, id: id, actor: .user(p))
            return try APIRoutes.encoded(Correction(creditNote: InvoiceDTO(credit), reissued: InvoiceDTO(reissued)), status: .created)
        }
    }

    struct OutboxDTO: Encodable {
        let invoiceId: String
        let number: String
        let partner: String
        let issueDate: String
        let state: String
        let deadline: String
        let daysLeft: Int
        let uploadIndex: String?
        let attempts: Int
        let errors: [String]

        init(_ item: OutboxItem) {
            invoiceId = item.invoice.description
            number = item.number
            partner = item.partner
            issueDate = item.issueDate.iso
            state = item.state
            deadline = item.deadline.iso
            daysLeft = item.daysLeft
            uploadIndex = item.uploadIndex
            attempts = item.attempts
            errors = item.errors
        }
    }

    @Sendable func outbox(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let items = try await culise.outbox(
            company: p.companyID, pendingOnly: LedgerAPI.query(request, "pending") == "true", actor: .user(p))
        return try JSON.response(["items": items.map(OutboxDTO.init)])
    }

    @Sendable func refresh(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let items = try await culise.refreshEFactura(company: p.companyID, client: try client(), actor: .user(p))
        return try JSON.response(["items": items.map(OutboxDTO.init)])
    }

    @Sendable func bills(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let result = try await culise.bills(
            company: p.companyID, state: LedgerAPI.query(request, "state"), partner: LedgerAPI.query(request, "partner"), page: page,
            actor: .user(p))
        return try JSON.response(ListDTO(result) { BillDTO($0) })
    }

    @Sendable func createBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(DocumentInput.self, from: buffer)
            return try APIRoutes.encoded(
                BillDTO(try await culise.createBill(company: p.companyID, input, actor: .user(p))), status: .created)
        }
    }

    @Sendable func showBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: BillID = try Self.id(context) { BillID(string: $0) }
        return try JSON.response(BillDTO(try await culise.bill(company: p.companyID, id: id, actor: .user(p))))
    }

    struct PostBill: Decodable {
        var accounts: [String: String]?
        var exchangeRate: String?
    }

    @Sendable func postBill(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: BillID = try Self.id(context) { BillID(string: $0) }
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = buffer.readableBytes == 0 ? PostBill() : try JSON.decode(PostBill.self, from: buffer)
            var accounts: [Int: String] = [:]
            for (line, account) in body.accounts ?? [:] {
                guard let number = Int(line) else {
                    throw ValidationErrors([
                        DomainError(
                            "bill.account_line", field: "accounts", "You cannot choose an account for line '\(line)'; use line numbers.")
                    ])
                }
                accounts[number] = account
            }
            var rate: Decimal?
            if let text = body.exchangeRate {
                guard let value = DecimalText.parse(text, scale: 6) else {
                    throw ValidationErrors([
                        DomainError("bill.exchange_rate", field: "exchange_rate", "You cannot use '\(text)' as an exchange rate.")
                    ])
                }
                rate = value
            }
            let bill = try await culise.postBill(company: p.companyID, id: id, accounts: accounts, exchangeRate: rate, actor: .user(p))
            return try APIRoutes.encoded(BillDTO(bill), status: .ok)
        }
    }

    /// The body is one UBL XML or an SPV ZIP (up to `Limits.eInvoiceBytes`).
    @Sendable func ingest(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var request = request
        let buffer = try await Body.collect(&request, limit: Limits.eInvoiceBytes)
        let name = LedgerAPI.query(request, "filename") ?? "upload"
        let outcomes = try await culise.ingestEInvoices(
            company: p.companyID, files: [(name, Data(buffer: buffer))],
            acceptOtherBuyer: LedgerAPI.query(request, "accept_other_buyer") == "true", actor: .user(p))
        let refused = outcomes.contains { $0.result == .refused }
        struct Document: Encodable {
            let file: String
            let result: String
            let bill_id: String
            let number: String
            let message: String
            let warnings: [String]
            let errors: [String]
        }
        let documents = outcomes.map {
            Document(
                file: $0.file, result: $0.result.rawValue, bill_id: $0.bill?.description ?? "", number: $0.number ?? "",
                message: $0.message, warnings: $0.warnings, errors: $0.errors)
        }
        return try JSON.response(["documents": documents], status: refused && outcomes.count == 1 ? .unprocessableContent : .ok)
    }

    @Sendable func payments(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let page = LedgerAPI.page(request, &problems)
        try problems.throwIfAny()
        let result = try await culise.payments(
            company: p.companyID, partner: LedgerAPI.query(request, "partner"), page: page, actor: .user(p))
        return try JSON.response(ListDTO(result) { PaymentDTO($0) })
    }

    @Sendable func pay(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let input = try JSON.decode(PaymentInput.self, from: buffer)
            return try APIRoutes.encoded(
                PaymentDTO(try await culise.recordPayment(company: p.companyID, input, actor: .user(p))), status: .created)
        }
    }

    @Sendable func showPayment(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        let id: PaymentID = try Self.id(context) { PaymentID(string: $0) }
        return try JSON.response(PaymentDTO(try await culise.payment(company: p.companyID, id: id, actor: .user(p))))
    }

    struct AgingDTO: Encodable {
        struct Row: Encodable {
            let partner: String
            let name: String?
            let buckets: [String: String]
            let unallocated: String
            let total: String
        }
        let side: String
        let account: String
        let asOf: String
        let rows: [Row]
        let totals: [String: String]
        let unallocated: String
        let total: String
    }

    @Sendable func aging(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        var problems = ProblemCollector()
        let asOf = LedgerAPI.date(request, "as_of", &problems) ?? culise.today
        let side = LedgerAPI.query(request, "side") ?? "receivable"
        problems.check(
            ["receivable", "payable"].contains(side),
            DomainError("aging.side", field: "side", "You cannot age '\(side)'; use receivable or payable."))
        try problems.throwIfAny()
        let report = try await culise.aging(company: p.companyID, side: side, asOf: asOf, actor: .user(p))
        func amounts(_ buckets: [String: Int64]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: AgingBucket.allCases.map { ($0.rawValue, DecimalText.amount(buckets[$0.rawValue] ?? 0)) })
        }
        return try JSON.response(
            AgingDTO(
                side: report.side, account: report.account, asOf: report.asOf.iso,
                rows: report.rows.map {
                    AgingDTO.Row(
                        partner: $0.partner, name: $0.name, buckets: amounts($0.buckets), unallocated: DecimalText.amount($0.unallocated),
                        total: DecimalText.amount($0.total))
                }, totals: amounts(report.totals), unallocated: DecimalText.amount(report.unallocated),
                total: DecimalText.amount(report.total)))
    }

    struct DunningRequest: Decodable {
        var asOf: String?
        var language: String?
    }

    @Sendable func dunning(_ request: Request, context: WebContext) async throws -> Response {
        let p = try context.requirePrincipal()
        return try await APIRoutes(culise: culise).idempotentPOST(request, context) { buffer in
            let body = buffer.readableBytes == 0 ? DunningRequest() : try JSON.decode(DunningRequest.self, from: buffer)
            let asOf = try body.asOf.map { try LocalDate(iso: $0, field: "as_of") } ?? culise.today
            let language = body.language ?? "ro"
            guard language == "ro" || language == "en" else {
                throw DomainError(
                    "dunning.language", field: "language",
                    "You cannot write notices in '\(language.prefix(20))' because the languages are ro and en.")
            }
            let notices = try await culise.dunningRun(company: p.companyID, asOf: asOf, language: language, actor: .user(p))
            struct Notice: Encodable {
                let partner: String
                let name: String
                let email: String?
                let level: Int
                let invoices: [[String: String]]
                let text: String
            }
            return try APIRoutes.encoded(
                [
                    "notices": notices.map { notice in
                        Notice(
                            partner: notice.partner, name: notice.name, email: notice.email, level: notice.level,
                            invoices: notice.items.map {
                                [
                                    "number": $0.number, "due_date": $0.dueDate.iso, "days_overdue": String($0.daysOverdue),
                                    "open": DecimalText.amount($0.open.minorUnits), "currency": $0.open.currency.code,
                                ]
                            }, text: notice.text)
                    }
                ], status: .created)
        }
    }
}
