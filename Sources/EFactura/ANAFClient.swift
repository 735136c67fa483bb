import Foundation
import Invoicing
import Kernel

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where and how to reach ANAF's e-Factura REST API (or the local simulator).
public struct ANAFConfiguration: Sendable {
    /// `https://api.anaf.ro/test/FCTEL/rest` (test), `https://api.anaf.ro/prod/FCTEL/rest` (production), or a simulator.
    public var baseURL: URL
    /// The OAuth2 bearer token (obtained with the company's qualified certificate); never logged.
    public var token: String
    /// Calls per minute across the client (ANAF's published global limit is 1,000).
    public var requestsPerMinute: Int
    /// Retries of a call that certainly did not reach ANAF, or of a read, with exponential backoff.
    public var maxRetries: Int
    public var initialBackoff: Duration
    public var timeout: TimeInterval

    public init(
        baseURL: URL, token: String, requestsPerMinute: Int = 1_000, maxRetries: Int = 3, initialBackoff: Duration = .milliseconds(500),
        timeout: TimeInterval = 30
    ) {
        self.baseURL = baseURL
        self.token = token
        self.requestsPerMinute = requestsPerMinute
        self.maxRetries = maxRetries
        self.initialBackoff = initialBackoff
        self.timeout = timeout
    }

    public static let testBaseURL = URL(string: "https://api.anaf.ro/test/FCTEL/rest")!
    public static let productionBaseURL = URL(string: "https://api.anaf.ro/prod/FCTEL/rest")!
}

/// What can go wrong talking to ANAF. `ambiguous` means the request may have been processed (a timeout after sending).
public enum ANAFError: Error, Sendable, Equatable, CustomStringConvertible {
    /// ANAF refused the upload outright (ExecutionStatus 1); the messages are ANAF's.
    case refused([String])
    /// The request was sent but no answer came back: it may or may not have been processed.
    case ambiguous(String)
    /// The request certainly was not processed (connection refused, 429, 401…).
    case failed(String)

    public var description: String {
        switch self {
        case .refused(let messages): "ANAF refused the upload: \(messages.joined(separator: "; "))"
        case .ambiguous(let reason): "no answer from ANAF (\(reason)); the upload may have been received"
        case .failed(let reason): "the call to ANAF failed: \(reason)"
        }
    }
}

/// The processing state of an upload (`stareMesaj`).
public enum ANAFUploadState: Sendable, Equatable {
    case processing
    /// Accepted; `downloadID` fetches the signed ZIP.
    case accepted(downloadID: String)
    /// Rejected; `downloadID` fetches the ZIP with the error messages.
    case rejected(downloadID: String?)
}

/// One entry of `listaMesajeFactura`.
public struct ANAFMessage: Sendable, Equatable, Codable {
    public var id: String
    public var uploadIndex: String
    public var type: String
    public var created: String
    public var details: String
    public var cif: String
}

/// A client for ANAF's e-Factura REST API: upload, stareMesaj, listaMesajeFactura, descarcare.
/// Calls are rate limited; reads and calls that certainly did not arrive are retried with exponential backoff.
/// An upload is never retried after it may have arrived: the caller reconciles instead (see `EFacturaOutbox`).
public actor ANAFClient {
    public let configuration: ANAFConfiguration
    private let session: URLSession
    private var recentCalls: [ContinuousClock.Instant] = []
    public private(set) var callCount = 0

    public init(_ configuration: ANAFConfiguration) {
        self.configuration = configuration
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.timeout
        self.session = URLSession(configuration: sessionConfiguration)
    }

    /// `POST /upload?standard=UBL|CN&cif=`: returns the upload index.
    public func upload(xml: Data, cif: String, creditNote: Bool) async throws(ANAFError) -> String {
        let cifDigits = cif.filter(\.isNumber)
        let body = try await call(
            "upload", query: [("standard", creditNote ? "CN" : "UBL"), ("cif", cifDigits)], method: "POST", body: xml, retryAmbiguous: false
        )
        let root: XMLElementNode
        do { root = try XMLLite.parse(body) } catch { throw .ambiguous("unreadable upload response") }
        if root.attributes["ExecutionStatus"] == "0", let index = root.attributes["index_incarcare"] { return index }
        let messages = root.children.compactMap { $0.attributes["errorMessage"] }
        throw .refused(messages.isEmpty ? ["ExecutionStatus \(root.attributes["ExecutionStatus"] ?? "?")"] : messages)
    }

    /// `GET /stareMesaj?id_incarcare=`.
    public func state(uploadIndex: String) async throws(ANAFError) -> ANAFUploadState {
        let body = try await call("stareMesaj", query: [("id_incarcare", uploadIndex)])
        guard let root = try? XMLLite.parse(body) else { throw .failed("unreadable stareMesaj response") }
        switch root.attributes["stare"] ?? "" {
        case "ok":
            guard let id = root.attributes["id_descarcare"] else { throw .failed("stareMesaj ok without id_descarcare") }
            return .accepted(downloadID: id)
        case "nok", "XML cu erori nepreluat de sistem": return .rejected(downloadID: root.attributes["id_descarcare"])
        case "in prelucrare": return .processing
        default:
            let messages = root.children.compactMap { $0.attributes["errorMessage"] }
            throw .failed("stareMesaj: \(messages.joined(separator: "; "))")
        }
    }

    /// `GET /listaMesajeFactura?zile=&cif=`.
    public func messages(days: Int, cif: String) async throws(ANAFError) -> [ANAFMessage] {
        let body = try await call("listaMesajeFactura", query: [("zile", String(days)), ("cif", cif.filter(\.isNumber))])
        struct Response: Decodable {
            struct Item: Decodable {
                var id: String
                var id_solicitare: String?
                var tip: String
                var data_creare: String
                var detalii: String?
                var cif: String?
            }
            var mesaje: [Item]?
            var eroare: String?
        }
        guard let response = try? JSONDecoder().decode(Response.self, from: body) else { throw .failed("unreadable message list") }
        return (response.mesaje ?? []).map {
            ANAFMessage(
                id: $0.id, uploadIndex: $0.id_solicitare ?? "", type: $0.tip, created: $0.data_creare, details: $0.detalii ?? "",
                cif: $0.cif ?? "")
        }
    }

    /// `GET /descarcare?id=`: the ZIP of a message.
    public func download(id: String) async throws(ANAFError) -> Data {
        try await call("descarcare", query: [("id", id)])
    }

    private func throttle() async {
        let clock = ContinuousClock()
        let now = clock.now
        recentCalls.removeAll { now - $0 > .seconds(60) }
        if recentCalls.count >= configuration.requestsPerMinute, let oldest = recentCalls.first {
            try? await Task.sleep(until: oldest + .seconds(60), clock: clock)
        }
        recentCalls.append(clock.now)
        callCount += 1
    }

    private func call(
        _ path: String, query: [(String, String)], method: String = "GET", body: Data? = nil, retryAmbiguous: Bool = true
    ) async throws(ANAFError) -> Data {
        var components = URLComponents(url: configuration.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        var request = URLRequest(url: components.url!)
        request.httpMethod = method
        request.timeoutInterval = configuration.timeout
        request.setValue("Bearer \(configuration.token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = body
            request.setValue("text/plain", forHTTPHeaderField: "Content-Type")
        }
        var backoff = configuration.initialBackoff
        var attempt = 0
        while true {
            attempt += 1
            await throttle()
            let outcome: Result<(Data, HTTPURLResponse), ANAFError>
            do {
                let (data, response) = try await session.data(for: request)
                guard let http = response as? HTTPURLResponse else { throw ANAFError.ambiguous("no HTTP response") }
                outcome = .success((data, http))
            } catch let error as URLError {
                switch error.code {
                case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
                    outcome = .failure(.failed("\(path): \(error.code.rawValue) cannot connect"))
                default:
                    outcome = .failure(.ambiguous("\(path): \(error.localizedDescription)"))
                }
            } catch let error as ANAFError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(.ambiguous("\(path): \(error)"))
            }
            let retryable: Bool
            switch outcome {
            case .success((let data, let http)):
                switch http.statusCode {
                case 200..<300: return data
                case 429: retryable = true
                case 500..<600: retryable = retryAmbiguous
                default:
                    throw .failed("\(path): HTTP \(http.statusCode) \(String(decoding: data.prefix(300), as: UTF8.self))")
                }
                if !retryable || attempt > configuration.maxRetries {
                    throw http.statusCode == 429 ? .failed("\(path): rate limited") : .ambiguous("\(path): HTTP \(http.statusCode)")
                }
            case .failure(let error):
                if case .ambiguous = error, !retryAmbiguous { throw error }
                if attempt > configuration.maxRetries { throw error }
            }
            try? await Task.sleep(for: backoff)
            backoff *= 2
        }
    }
}

/// ANAF's small response documents, read with the domain's XML tree.
enum XMLLite {
    static func parse(_ data: Data) throws -> XMLElementNode { try XMLTree.parse(data) }
}
