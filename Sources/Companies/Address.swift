import Foundation
import Kernel

/// Romanian counties as ISO 3166-2:RO codes, as CIUS-RO requires (BR-RO-110).
public enum County {
    public static let names: [String: String] = [
        "RO-AB": "Alba", "RO-AG": "Argeș", "RO-AR": "Arad", "RO-B": "București", "RO-BC": "Bacău",
        "RO-BH": "Bihor", "RO-BN": "Bistrița-Năsăud", "RO-BR": "Brăila", "RO-BT": "Botoșani",
        "RO-BV": "Brașov", "RO-BZ": "Buzău", "RO-CJ": "Cluj", "RO-CL": "Călărași", "RO-CS": "Caraș-Severin",
        "RO-CT": "Constanța", "RO-CV": "Covasna", "RO-DB": "Dâmbovița", "RO-DJ": "Dolj", "RO-GJ": "Gorj",
        "RO-GL": "Galați", "RO-GR": "Giurgiu", "RO-HD": "Hunedoara", "RO-HR": "Harghita", "RO-IF": "Ilfov",
        "RO-IL": "Ialomița", "RO-IS": "Iași", "RO-MH": "Mehedinți", "RO-MM": "Maramureș", "RO-MS": "Mureș",
        "RO-NT": "Neamț", "RO-OT": "Olt", "RO-PH": "Prahova", "RO-SB": "Sibiu", "RO-SJ": "Sălaj",
        "RO-SM": "Satu Mare", "RO-SV": "Suceava", "RO-TL": "Tulcea", "RO-TM": "Timiș", "RO-TR": "Teleorman",
        "RO-VL": "Vâlcea", "RO-VN": "Vrancea", "RO-VS": "Vaslui",
    ]

    public static let bucharest = "RO-B"
    public static let bucharestSectors = (1...6).map { "SECTOR\($0)" }

    /// The city and county of an address as people write them on paper (the codes stay in the XML):
    /// `București, Sectorul 1` for `SECTOR1, RO-B`; `Cluj-Napoca, jud. Cluj` for `Cluj-Napoca, RO-CJ` (English:
    /// `Bucharest, Sector 1`, `Cluj-Napoca, Cluj County`). An unknown county code or a foreign address keeps its text.
    public static func paperCityAndCounty(city: String, county: String?, english: Bool = false) -> String {
        let code = county.map { $0.uppercased() }
        if code == bucharest || city.uppercased().hasPrefix("SECTOR") {
            let digits = city.filter(\.isNumber)
            let capital = english ? "Bucharest" : "București"
            guard !digits.isEmpty else { return city.isEmpty ? capital : city }
            return english ? "\(capital), Sector \(digits)" : "\(capital), Sectorul \(digits)"
        }
        guard let code, let name = names[code] else { return [city, county ?? ""].filter { !$0.isEmpty }.joined(separator: ", ") }
        return english ? "\(city), \(name) County" : "\(city), jud. \(name)"
    }

    /// A country code as a word on paper: `RO` → `România` (English `Romania`); other codes stay codes.
    public static func paperCountry(_ code: String, english: Bool = false) -> String {
        code.uppercased() == "RO" ? (english ? "Romania" : "România") : code
    }

    /// Normalises `ro-cj` or `CJ` to `RO-CJ`, or fails naming the field.
    public static func code(_ text: String, field: String) throws(DomainError) -> String {
        var upper = text.uppercased().trimmingCharacters(in: .whitespaces)
        if !upper.hasPrefix("RO-") { upper = "RO-" + upper }
        guard names[upper] != nil else {
            throw DomainError(
                "address.county", field: field,
                "You cannot use county '\(text)' because a Romanian county must be an ISO 3166-2:RO code such as RO-CJ or RO-B.")
        }
        return upper
    }
}

/// A postal address. Romanian addresses carry an ISO 3166-2:RO county; Bucharest addresses
/// name the sector (`SECTOR1` … `SECTOR6`) as the city, as e-Factura requires.
public struct Address: Hashable, Sendable, Codable {
    public var line: String
    public var city: String
    public var county: String?
    public var postalCode: String?
    /// ISO 3166-1 alpha-2.
    public var country: String

    public init(line: String, city: String, county: String?, postalCode: String? = nil, country: String = "RO") {
        self.line = line
        self.city = city
        self.county = county
        self.postalCode = postalCode
        self.country = country
    }

    /// Checks every rule and returns a normalised copy, or every problem at once (fields prefixed by `prefix`).
    public func validated(prefix: String = "address") throws(ValidationErrors) -> Address {
        var problems = ProblemCollector()
        var result = self
        result.line = line.trimmingCharacters(in: .whitespaces)
        result.city = city.trimmingCharacters(in: .whitespaces)
        result.country = country.uppercased().trimmingCharacters(in: .whitespaces)
        result.postalCode = postalCode?.trimmingCharacters(in: .whitespaces)
        if result.postalCode?.isEmpty == true { result.postalCode = nil }

        problems.check(
            !result.line.isEmpty,
            DomainError("address.line_required", field: "\(prefix).line", "To save an address, you must give the street line."))
        problems.check(
            result.line.count <= Limits.addressLineLength,
            DomainError(
                "address.line_length", field: "\(prefix).line",
                "You cannot save this street line because it is longer than \(Limits.addressLineLength) characters."))
        problems.check(
            !result.city.isEmpty,
            DomainError("address.city_required", field: "\(prefix).city", "To save an address, you must give the city."))
        problems.check(
            result.country.count == 2 && result.country.allSatisfy({ $0 >= "A" && $0 <= "Z" }),
            DomainError(
                "address.country", field: "\(prefix).country",
                "You cannot use country '\(country)' because it must be an ISO 3166-1 code such as RO or DE."))
        if result.country == "RO" {
            if let county, !county.trimmingCharacters(in: .whitespaces).isEmpty {
                if let code = problems.collect({ () throws(DomainError) in try County.code(county, field: "\(prefix).county") }) {
                    result.county = code
                    if code == County.bucharest {
                        let sector = result.city.uppercased().replacingOccurrences(of: " ", with: "")
                            .replacingOccurrences(of: "SECTORUL", with: "SECTOR")
                        if County.bucharestSectors.contains(sector) {
                            result.city = sector
                        } else {
                            problems.add(
                                DomainError(
                                    "address.bucharest_sector", field: "\(prefix).city",
                                    "You cannot use city '\(city)' in Bucharest because a Bucharest address must name its sector, SECTOR1 to SECTOR6."
                                ))
                        }
                    }
                }
            } else {
                problems.add(
                    DomainError(
                        "address.county_required", field: "\(prefix).county",
                        "To save a Romanian address, you must give its county as an ISO 3166-2:RO code such as RO-CJ."))
            }
        } else {
            result.county = county.flatMap { $0.isEmpty ? nil : $0 }
        }
        if !problems.isEmpty { throw ValidationErrors(problems.problems) }
        return result
    }
}
