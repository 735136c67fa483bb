import Application
import Storage

extension Schema {
    /// Issue 12: the invoice, partner and bank-line lists are read in their index's whole order, so a page of 50 costs
    /// the same with 100 or 100,000 rows. Before it, a tie in the leading column (100,000 invoices of one day) made
    /// SQLite sort all the tied rows, documents included, for each page: 177 ms → 1 ms per invoice page at 100,000
    /// invoices of one day (docs/performance.md). The wider indexes replace the narrower ones, which nothing else used.
    /// The journal list (`date DESC, id DESC`) keeps `entries_date (company_id, date, seq)`: entries spread over dates,
    /// and one more index on `entries` would slow the bulk import.
    package static let listingOrder = Migration(11, "listing order") { _ in
        [
            "DROP INDEX invoices_listing",
            "CREATE INDEX invoices_listing ON invoices (company_id, issue_date, seq, id)",
            "DROP INDEX partners_name",
            "CREATE INDEX partners_name ON partners (company_id, name, code)",
            "CREATE INDEX bank_lines_listing ON bank_lines (company_id, account_id, booking_date, id)",
        ]
    }
}
