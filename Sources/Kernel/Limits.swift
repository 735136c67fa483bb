/// Every limit in one place (TigerBeetle style): each input has a stated bound, and tests prove it.
public enum Limits {
    /// Largest JSON or form body the web layer reads.
    public static let requestBodyBytes = 1 << 20
    /// Largest upload (statements, e-invoices, journal imports through the browser).
    public static let uploadBytes = 20 << 20
    /// Default and maximum page sizes for lists.
    public static let defaultPageSize = 50
    public static let maxPageSize = 500
    /// Text field lengths.
    public static let nameLength = 200
    public static let addressLineLength = 150
    public static let emailLength = 254
    public static let passwordMinLength = 12
    public static let passwordMaxLength = 128
    /// Login throttling: more than this many failures per account or per IP in the window → refused.
    public static let loginFailuresAllowed = 10
    public static let loginWindowSeconds = 15 * 60
    /// Sessions.
    public static let sessionIdleSeconds = 8 * 3600
    public static let sessionAbsoluteSeconds = 7 * 24 * 3600
    /// Two-factor recovery codes per enrolment.
    public static let recoveryCodes = 10
    /// API tokens per user.
    public static let tokensPerUser = 20
    /// Companies one user may belong to.
    public static let companiesPerUser = 100
    /// Lines in one journal entry.
    public static let linesPerEntry = 1_000
    /// Rows in one ledger import file (a 1M-transaction journal has about 3.4M rows).
    public static let importRows = 20_000_000
    /// Bytes in one CSV import row.
    public static let importRowBytes = 4_096
    /// Entries posted per import transaction.
    public static let importBatch = 2_000
    /// Lines on one invoice, credit note or bill (CIUS-RO itself has no limit since 1.0.8).
    public static let linesPerDocument = 1_000
    /// Bytes of one e-invoice XML or SPV ZIP accepted for ingestion.
    public static let eInvoiceBytes = 10 << 20
    /// Documents in one ingestion (a folder or a ZIP).
    public static let ingestDocuments = 5_000
    /// Lines in one bank statement import (all statements of a file together).
    public static let statementLines = 100_000
    /// Bytes of one statement file: CAMT.053 takes about 400 bytes per entry, so 100,000 lines need about 40 MiB.
    public static let statementBytes = 64 << 20
    /// Invoices one payment may be allocated to.
    public static let allocationsPerPayment = 500
    /// Stored idempotent responses are kept this long.
    public static let idempotencySeconds = 24 * 3600
}
