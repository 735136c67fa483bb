import Application
import Assembly
import BankingApp
import EFactura
import Foundation
import HTTPTypes
import Hummingbird
import Identity
import InvoicingApp
import Kernel
import LedgerApp
import Logging
import Metrics
import PartnersApp
import Prometheus
import ServiceLifecycle
import Synchronization

/// A protected route: the area and access its group requires (for the RBAC test and docs).
public struct ProtectedRoute: Sendable, Hashable {
    public let method: String
    public let path: String
    public let area: Area
    public let access: Access
}

/// Settings the web layer needs from the configuration.
public struct WebSettings: Sendable {
    public var secureCookies: Bool
    /// ANAF's e-Factura API (or the simulator); nil when not configured.
    public var anaf: ANAFConfiguration?
    public init(secureCookies: Bool = true, anaf: ANAFConfiguration? = nil) {
        self.secureCookies = secureCookies
        self.anaf = anaf
    }
}

/// Metrics: one Prometheus registry per process, bootstrapped once.
public enum Telemetry {
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = Mutex(false)

    public static func bootstrap() {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
    }
}

/// Builds the router: middleware in order (metrics → security headers → errors → identity → forms),
/// the public routes, then every protected group with its `PermissionMiddleware`.
/// `@unchecked Sendable`: the router is fully built before this value exists and never mutated after.
public struct WebServer: @unchecked Sendable {
    public let router: Router<WebContext>
    public let protectedRoutes: [ProtectedRoute]
    public let publicRoutes: [String]

    public static func build(culise: Culise, settings: WebSettings) async throws -> WebServer {
        Telemetry.bootstrap()
        let views = try await Views.load()
        let cookies = CookieSettings(secure: settings.secureCookies)
        let router = Router(context: WebContext.self)
        router.add(middleware: HeadMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ConditionalGetMiddleware())
        router.add(middleware: EdgeMiddleware(views: views))
        let gate = OpenAPIGate(document: Operations.openAPIDocument)
        router.add(middleware: MethodGateMiddleware(gate: gate))
        router.add(middleware: IdentityMiddleware(culise: culise, cookies: cookies, views: views))
        router.add(middleware: FormMiddleware())

        let registry = RouteRegistry()
        let protect: (Area, Access) -> Protected = { area, access in
            Protected(
                group: router.group().add(middleware: PermissionMiddleware(area: area, access: access))
                    .add(middleware: ParameterGateMiddleware(gate: gate)), area: area, access: access,
                registry: registry)
        }
        let operations = Operations(culise: culise)
        router.get("/health", use: operations.health)
        router.head("/health", use: operations.health)
        router.get("/metrics", use: operations.metrics)
        router.get("/api/openapi.json", use: operations.openAPI)
        router.get("/static/{file}", use: operations.staticFile)
        let anaf = settings.anaf.map(ANAFClient.init)
        let html = HTMLRoutes(culise: culise, views: views, cookies: cookies)
        html.register(on: router, protect: protect)
        InvoicePages(culise: culise, views: views, html: html, anaf: anaf).register(protect: protect)
        BankPages(culise: culise, views: views, html: html).register(protect: protect)
        APIRoutes(culise: culise).register(protect: protect)
        LedgerAPI(culise: culise).register(protect: protect)
        PartnerAPI(culise: culise).register(protect: protect)
        PeopleAPI(culise: culise).register(protect: protect)
        LeaveAPI(culise: culise).register(protect: protect)
        PolicyAPI(culise: culise).register(protect: protect)
        RecruitmentAPI(culise: culise).register(protect: protect)
        SelfServiceAPI(culise: culise).register(protect: protect)
        EmployeeChangeAPI(culise: culise).register(protect: protect)
        PayrollAPI(culise: culise).register(protect: protect)
        FilingAPI(culise: culise).register(protect: protect)
        VATAPI(culise: culise).register(protect: protect)
        SAFTAPI(culise: culise).register(protect: protect)
        FinancialStatementsPages(culise: culise, html: nil).register(protect: protect)
        FilingCalendarPages(culise: culise, html: nil).register(protect: protect)
        TrainingAPI(culise: culise).register(protect: protect)
        ProductAPI(culise: culise).register(protect: protect)
        InvoiceAPI(culise: culise, anaf: anaf).register(protect: protect)
        BankAPI(culise: culise).register(protect: protect)
        DocumentRoutes(culise: culise).register(protect: protect)
        NotificationAPI(culise: culise).register(protect: protect)
        try router.validate()
        let publicRoutes = [
            "GET /", "GET /login", "POST /login", "GET /login/2fa", "POST /login/2fa", "POST /logout", "POST /lang",
            "GET /health", "GET /metrics", "GET /api/openapi.json", "GET /static/{file}",
        ]
        return WebServer(router: router, protectedRoutes: registry.all, publicRoutes: publicRoutes)
    }

    /// The HTTP server with graceful shutdown: in-flight requests finish, then the database closes.
    /// The HTTP server as a service group; with a `worker`, the background-job queue is worked in the same process
    /// (and stops before the database closes).
    public func application(host: String, port: Int, culise: Culise, logger: Logger, worker: JobWorker? = nil) -> some ApplicationProtocol {
        var app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Culise"), logger: logger)
        app.addServices(DatabaseService(culise: culise))
        if let worker { app.addServices(JobWorkerService(worker: worker)) }
        return app
    }
}

/// Collects every protected route with the area and access its group requires.
final class RouteRegistry: Sendable {
    private let routes = Mutex<[ProtectedRoute]>([])

    func add(_ method: String, _ path: String, _ area: Area, _ access: Access) {
        routes.withLock { $0.append(ProtectedRoute(method: method, path: WebServer.openAPIPath(path), area: area, access: access)) }
    }

    var all: [ProtectedRoute] { routes.withLock { $0 }.sorted { ($0.path, $0.method) < ($1.path, $1.method) } }
}

/// A route group guarded by `PermissionMiddleware(area, access)`; each route added is recorded.
struct Protected {
    let group: RouterGroup<WebContext>
    let area: Area
    let access: Access
    let registry: RouteRegistry

    typealias Handler = @Sendable (Request, WebContext) async throws -> Response

    @discardableResult func get(_ path: String, use handler: @escaping Handler) -> Protected { on(path, .get, handler) }
    @discardableResult func post(_ path: String, use handler: @escaping Handler) -> Protected { on(path, .post, handler) }
    @discardableResult func put(_ path: String, use handler: @escaping Handler) -> Protected { on(path, .put, handler) }
    @discardableResult func delete(_ path: String, use handler: @escaping Handler) -> Protected { on(path, .delete, handler) }

    private func on(_ path: String, _ method: HTTPRequest.Method, _ handler: @escaping Handler) -> Protected {
        registry.add(method.rawValue, path, area, access)
        group.on(RouterPath(path), method: method, use: handler)
        // Every GET answers HEAD too: the same handler, the body dropped by HeadMiddleware (RFC 9110 §9.3.2).
        if method == .get { group.on(RouterPath(path), method: .head, use: handler) }
        return self
    }
}

extension WebServer {
    /// `/users/:id/role` or `/users/{id}/role` → `/users/{id}/role`.
    static func openAPIPath(_ path: String) -> String {
        var normalised = path.hasPrefix("/") ? path : "/" + path
        normalised = normalised.split(separator: "/").map { segment -> String in
            segment.hasPrefix(":") ? "{\(segment.dropFirst())}" : String(segment)
        }.joined(separator: "/")
        return "/" + normalised.drop(while: { $0 == "/" })
    }
}

/// Closes the database after the server has stopped (services stop in reverse order).
struct DatabaseService: Service {
    let culise: Culise

    func run() async throws {
        try? await gracefulShutdown()
        await culise.close()
        culise.logger.info("database closed")
    }
}

/// Works the job queue until shutdown; the job in hand finishes or fails before the process stops (a job cut short
/// is run again when its lease expires).
struct JobWorkerService: Service {
    let worker: JobWorker

    func run() async throws {
        let task = Task { await worker.run() }
        try? await gracefulShutdown()
        task.cancel()
        await task.value
    }
}

/// Health, metrics, the OpenAPI document and static files.
struct Operations: Sendable {
    let culise: Culise

    struct Health: Encodable {
        let status: String
        let database: String
        let engine: String
        let migrationVersion: Int
    }

    @Sendable func health(_ request: Request, context: WebContext) async throws -> Response {
        do {
            let version = try await culise.schemaVersion()
            return try JSON.response(
                Health(status: "ok", database: "reachable", engine: culise.database.dialect.rawValue, migrationVersion: version))
        } catch {
            context.logger.error("health check failed", metadata: ["error": .string(String(describing: error))])
            return try JSON.response(
                Health(status: "unavailable", database: "unreachable", engine: culise.database.dialect.rawValue, migrationVersion: 0),
                status: .serviceUnavailable)
        }
    }

    @Sendable func metrics(_ request: Request, context: WebContext) async throws -> Response {
        let stats = await culise.database.stats()
        Telemetry.registry.makeGauge(name: "culise_db_pool_size", help: "Database connections in the pool").set(Double(stats.size))
        Telemetry.registry.makeGauge(name: "culise_db_pool_leased", help: "Database connections in use").set(Double(stats.leased))
        Telemetry.registry.makeGauge(name: "culise_db_pool_waiting", help: "Requests waiting for a connection").set(Double(stats.waiting))
        var buffer: [UInt8] = []
        Telemetry.registry.emit(into: &buffer)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    static let openAPIDocument: Data? = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "OpenAPI")
        .flatMap { try? Data(contentsOf: $0) }

    @Sendable func openAPI(_ request: Request, context: WebContext) async throws -> Response {
        guard let data = Operations.openAPIDocument else { throw WebError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static let staticTypes = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]

    @Sendable func staticFile(_ request: Request, context: WebContext) async throws -> Response {
        guard let name = context.parameters.get("file"), name.range(of: "^[a-z0-9-]+\\.(css|js|svg)$", options: .regularExpression) != nil,
            let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Static"),
            let data = try? Data(contentsOf: url)
        else { throw WebError.notFound }
        var headers = HTTPFields()
        headers[.contentType] = Operations.staticTypes[String(name.split(separator: ".").last ?? "")] ?? "application/octet-stream"
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
