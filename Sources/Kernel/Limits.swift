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
    /// An invitation to a company stays open this long.
    public static let invitationSeconds = 14 * 24 * 3600
    /// How many times one bank line may be matched again after being unmatched (each match posts its own entry).
    public static let rematchesPerLine = 100
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
    /// A ledger import whose file holds at least this many rows (by its size) sets the ledger's secondary indexes aside
    /// and builds them again at its end, when the database holds fewer entry lines than the file brings.
    public static let bulkImportRows = 50_000
    /// Automatic bank confirmations that share one transaction (group commit; each line has its own savepoint).
    public static let bankConfirmBatch = 250
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

    // MARK: Amounts, dates and structure (docs/limits.md)

    /// The largest amount, in minor units, of any one line, document, payment or bank line:
    /// 999,999,999,999.99 in the currency (just under one trillion). Every entry point refuses more.
    public static let amountMinorUnits: Int64 = 99_999_999_999_999
    /// The largest total a company's ledger may ever hold: the sum of |debit| + |credit| + |foreign amount| over every
    /// posted line. Posting past it is refused, so no sum over any set of lines (SQL `SUM`, balances, trial balance,
    /// reports) can leave `Int64`, whatever the order of addition: 10^18 minor units, a ninth of `Int64.max`.
    public static let ledgerVolumeMinorUnits: Int64 = 1_000_000_000_000_000_000
    /// The same bound for the lines of one bank or cash account's statements.
    public static let statementVolumeMinorUnits: Int64 = 1_000_000_000_000_000_000
    /// Quantities and unit prices on documents: at most this many whole digits (and 6 decimals).
    public static let quantityDigits = 12
    /// The largest exchange rate accepted (RON per unit of a foreign currency; BNR quotes gold per gram at a few hundred).
    public static let exchangeRateMaximum = 10_000
    /// Business dates (documents, entries, statements, periods) lie in these years.
    public static let businessYears: ClosedRange<Int> = 1900...2199
    /// XML documents: nesting depth, elements, attributes per element, and text bytes of one element.
    public static let xmlDepth = 128
    public static let xmlElements = 6_000_000
    public static let xmlAttributesPerElement = 64
    public static let xmlTextBytes = 1 << 20
    /// ZIP archives: entries, bytes of one entry's name, and the bytes all entries may inflate to together.
    public static let zipEntries = 5_000
    public static let zipNameBytes = 255
    public static let zipInflatedBytes = 32 << 20
    /// Items a reconciliation statement lists on each side; its totals and counts always cover every item.
    public static let reconciliationItemsListed = 1_000
    /// Background jobs: attempts before a job is dead, and the bytes of its payload.
    public static let jobAttempts = 10
    public static let jobPayloadBytes = 64 << 10
    /// Attachments: the bytes of one file, files per owning record, and the length of a file name.
    public static let documentBytes = 20 << 20
    public static let documentsPerOwner = 100
    public static let documentNameLength = 200
    /// Filings: the bytes of one declaration's XML as kept (a D112 of 10,000 employees is about 10 MB).
    public static let filingBytes = 64 << 20
    /// People: how deep departments nest, dependants per employee, rows of an employee import (and its bytes),
    /// events of one contract, and employees a company may hold.
    public static let departmentDepth = 12
    public static let departments = 2_000
    public static let dependantsPerEmployee = 20
    public static let employeeImportRows = 20_000
    public static let employeeImportBytes = 16 << 20
    public static let contractEvents = 1_000
    public static let regesPendingListed = 50_000
    /// Leave requests one list (a calendar, a period) reads at once.
    public static let leaveListed = 50_000
    /// Policies: departments or positions one policy addresses, policies of a company, versions of one policy.
    public static let policyAudience = 100
    public static let policies = 200
    public static let policyVersions = 100
    /// Recruitment: open and closed openings of a company, applicants of one opening, interviews of one applicant.
    public static let openings = 2_000
    public static let applicantsPerOpening = 5_000
    public static let interviewsPerApplicant = 50
    public static let openingHeadcount = 1_000
    /// Training: courses of a company, sessions of a company, places in one session, and the longest validity of a
    /// certificate in months.
    public static let courses = 500
    public static let trainingSessions = 20_000
    public static let sessionCapacity = 1_000
    public static let certificateValidityMonths = 120
    /// Skills in a company's matrix.
    public static let skills = 300
    /// Payroll: sets of contract terms in one employee's month (a salary change makes two), the largest monthly amount
    /// of one pay item (1,000,000 lei), overtime hours paid in one month.
    public static let paySegments = 31
    public static let payAmount: Int64 = 100_000_000
    public static let overtimeHours = 250
}
