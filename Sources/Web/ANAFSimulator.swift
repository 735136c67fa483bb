import EFactura
import Foundation
import HTTPTypes
import Hummingbird
import Invoicing
import Kernel
import Logging
import NIOCore
import Synchronization

/// A local stand-in for ANAF's e-Factura REST API (`/upload`, `/stareMesaj`, `/listaMesajeFactura`, `/descarcare`),
/// for tests, demos and development. It checks the bearer token, accepts well-formed CIUS-RO XML, rejects
/// documents whose buyer is on its "unknown" list (as ANAF does for a CUI it cannot find) with ANAF-style messages,
/// and serves message lists and ZIPs. It can delay the next upload's answer to simulate a timeout after receipt.
public final class ANAFSimulator: Sendable {
    struct Upload: Sendable {
        var index: String
        var cif: String
        var xml: Data
        var accepted: Bool
        var errors: [String]
        var created: String
        var messageID: String
    }

    struct State: Sendable {
        var uploads: [Upload] = []
        var nextIndex = 5_001_120_000
        var unknownBuyers: Set<String> = []
        var delayNextUpload: Duration?
    }

    public let token: String
    private let state = Mutex(State())

    public init(token: String = "simulator-token") { self.token = token }

    /// How many uploads the simulator received.
    public var uploadCount: Int { state.withLock { $0.uploads.count } }

    /// Buyer identifiers (digits) the simulator treats as not found in ANAF's registry.
    public func rejectBuyers(_ ids: [String]) { state.withLock { $0.unknownBuyers.formUnion(ids.map { $0.filter(\.isNumber) }) } }

    /// The next upload is recorded at once but answered only after `delay` (a client timeout shorter than that sees no answer).
    public func delayNextUpload(by delay: Duration) { state.withLock { $0.delayNextUpload = delay } }

    /// Starts the simulator on 127.0.0.1 at a free port; returns its base URL and the task to cancel to stop it.
    public func start(port: Int = 0) async throws -> (url: URL, task: Task<Void, any Error>) {
        let router = Router()
        router.post("/upload") { request, context in try await self.upload(request, context) }
        router.get("/stareMesaj") { request, context in try self.status(request, context) }
        router.get("/listaMesajeFactura") { request, context in try self.list(request, context) }
        router.get("/descarcare") { request, context in try self.download(request, context) }
        let bound = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "anaf-simulator")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in bound.continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = bound.stream.makeAsyncIterator()
        guard let actual = await iterator.next() else { throw HTTPError(.internalServerError) }
        return (URL(string: "http://127.0.0.1:\(actual)")!, task)
    }

    private func authorize(_ request: Request) throws {
        guard request.headers[.authorization] == "Bearer \(token)" else { throw HTTPError(.unauthorized) }
    }

    private static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMddHHmm"
        formatter.timeZone = TimeZone(identifier: "Europe/Bucharest")
        return formatter.string(from: Date())
    }

    private func xmlResponse(_ body: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/xml"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func upload(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try authorize(request)
        let cif = request.uri.queryParameters.get("cif") ?? ""
        let standard = request.uri.queryParameters.get("standard") ?? ""
        let body = try await request.body.collect(upTo: 10 << 20)
        let data = Data(buffer: body)
        let header = "<header xmlns=\"mfp:anaf:dgti:spv:respUploadFisier:v1\" dateResponse=\"\(Self.stamp())\""
        guard ["UBL", "CN", "CII", "RASP"].contains(standard), !cif.isEmpty, cif.allSatisfy(\.isNumber) else {
            return xmlResponse(
                "\(header) ExecutionStatus=\"1\"><Errors errorMessage=\"Parametrii standard sau cif sunt invalizi\"/></header>")
        }
        guard let root = try? XMLTree.parse(data), ["Invoice", "CreditNote"].contains(root.name) else {
            return xmlResponse("\(header) ExecutionStatus=\"1\"><Errors errorMessage=\"Fisierul transmis nu este un XML valid\"/></header>")
        }
        var errors: [String] = []
        if root.value("CustomizationID") != UBLWriter.customizationID {
            errors.append("E: validari CIUS-RO: BR-RO-001 CustomizationID invalid")
        }
        let buyer = root.at("AccountingCustomerParty/Party")
        let buyerID = (buyer?.value("PartyTaxScheme/CompanyID") ?? buyer?.value("PartyLegalEntity/CompanyID") ?? "").filter(\.isNumber)
        let seller = (root.value("AccountingSupplierParty/Party/PartyTaxScheme/CompanyID") ?? "").filter(\.isNumber)
        if seller != cif { errors.append("E: CIF emitent \(seller) diferit de CIF-ul din cerere \(cif)") }
        let (index, delay) = state.withLock { state -> (String, Duration?) in
            if state.unknownBuyers.contains(buyerID) {
                errors.append("E: CIF beneficiar \(buyerID) nu este inregistrat in Registrul RO e-Factura / nu a fost gasit")
            }
            state.nextIndex += 1
            let index = String(state.nextIndex)
            state.uploads.append(
                Upload(
                    index: index, cif: cif, xml: data, accepted: errors.isEmpty, errors: errors, created: Self.stamp(),
                    messageID: String(3_001_000_000 + state.uploads.count)))
            let delay = state.delayNextUpload
            state.delayNextUpload = nil
            return (index, delay)
        }
        if let delay { try await Task.sleep(for: delay) }
        return xmlResponse("\(header) ExecutionStatus=\"0\" index_incarcare=\"\(index)\"/>")
    }

    private func status(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try authorize(request)
        let index = request.uri.queryParameters.get("id_incarcare") ?? ""
        guard let upload = state.withLock({ $0.uploads.first { $0.index == index } }) else {
            return xmlResponse(
                "<header xmlns=\"mfp:anaf:dgti:efactura:stareMesajFactura:v1\"><Errors errorMessage=\"Nu exista factura cu id_incarcare= \(index)\"/></header>"
            )
        }
        return xmlResponse(
            "<header xmlns=\"mfp:anaf:dgti:efactura:stareMesajFactura:v1\" stare=\"\(upload.accepted ? "ok" : "nok")\" id_descarcare=\"\(upload.messageID)\"/>"
        )
    }

    private func list(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try authorize(request)
        let cif = request.uri.queryParameters.get("cif") ?? ""
        let days = Int(request.uri.queryParameters.get("zile") ?? "") ?? 0
        guard (1...60).contains(days) else {
            let body = "{\"eroare\":\"Numarul de zile trebuie sa fie intre 1 si 60\",\"titlu\":\"Lista Mesaje\"}"
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let items = state.withLock { $0.uploads.filter { $0.cif == cif } }.map { upload -> [String: String] in
            [
                "data_creare": upload.created, "cif": upload.cif, "id_solicitare": upload.index, "id": upload.messageID,
                "tip": upload.accepted ? "FACTURA TRIMISA" : "ERORI FACTURA",
                "detalii": "Factura cu id_incarcare=\(upload.index) emisa de cif_emitent=\(upload.cif)",
            ]
        }
        let body = try JSONSerialization.data(withJSONObject: [
            "mesaje": items, "serial": "sim", "cui": cif, "titlu": "Lista Mesaje disponibile din ultimele \(days) zile",
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func download(_ request: Request, _ context: BasicRequestContext) throws -> Response {
        try authorize(request)
        let id = request.uri.queryParameters.get("id") ?? ""
        guard let upload = state.withLock({ $0.uploads.first { $0.messageID == id } }) else { throw HTTPError(.notFound) }
        let zip: Data
        if upload.accepted {
            let signature = "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignatureValue>simulator</SignatureValue></Signature>"
            zip = try SPVArchive.make([("\(upload.index).xml", upload.xml), ("semnatura_\(upload.index).xml", Data(signature.utf8))])
        } else {
            let errors = upload.errors.map { "<Error errorMessage=\"\($0.replacingOccurrences(of: "\"", with: "&quot;"))\"/>" }.joined()
            let body =
                "<header xmlns=\"mfp:anaf:dgti:efactura:raspunsErori:v1\" Index_incarcare=\"\(upload.index)\" Cif_emitent=\"\(upload.cif)\">\(errors)</header>"
            zip = try SPVArchive.make([("\(upload.index).xml", Data(body.utf8))])
        }
        return Response(status: .ok, headers: [.contentType: "application/zip"], body: .init(byteBuffer: ByteBuffer(bytes: zip)))
    }
}
