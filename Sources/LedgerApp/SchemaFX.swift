import Application
import Storage

extension Schema {
    /// Exchange rates (issue 5 groundwork): BNR reference rates are public reference data shared by every company.
    package static let exchangeRates = Migration(4, "exchange rates") { _ in
        [
            """
            CREATE TABLE fx_rates (
                source TEXT NOT NULL,
                currency TEXT NOT NULL,
                published TEXT NOT NULL,
                ron_per_unit TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                PRIMARY KEY (source, currency, published)
            )
            """
        ]
    }
}
