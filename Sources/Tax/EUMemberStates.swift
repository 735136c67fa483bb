/// The member states of the European Union (27 since 1 February 2020), by ISO 3166-1 alpha-2 code, for telling
/// intra-Community operations (D300 rows 1, 3.1, 5, 7.1; D390) from domestic and third-country ones. Greece is `GR`
/// here and `EL` in VAT numbers; both are accepted.
public enum EUMemberStates {
    public static let codes: Set<String> = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
        "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    /// Whether `country` (ISO code, or `EL`) is a member state other than Romania.
    public static func isOtherMemberState(_ country: String) -> Bool {
        let code = country.uppercased() == "EL" ? "GR" : country.uppercased()
        return code != "RO" && codes.contains(code)
    }
}
