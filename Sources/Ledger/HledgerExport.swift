import Foundation
import Kernel

/// Renders posted entries as an hledger journal: one transaction per entry, account names are the codes,
/// amounts in RON with two decimals (debit positive, credit negative).
public enum HledgerExport {
    public static func transaction(date: LocalDate, reference: String, description: String, lines: [EntryLine]) -> String {
        let cleanDescription = description.replacingOccurrences(of: ";", with: ",").replacingOccurrences(of: "\n", with: " ")
        var text = "\(date.iso) (\(reference)) \(cleanDescription)\n"
        for line in lines {
            let amount = Money(minorUnits: line.debit - line.credit, currency: .ron).decimalString
            var posting = "    \(line.account)  \(amount) RON"
            if let partner = line.partner, !partner.isEmpty { posting += "  ; partner:\(partner)" }
            text += posting + "\n"
        }
        return text + "\n"
    }
}
