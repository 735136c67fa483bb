import Foundation
import Kernel

/// E-mail addresses as login names: trimmed, lower-cased, one `@`, a dot in the domain.
public enum Email {
    public static func normalise(_ text: String, field: String = "email") throws(DomainError) -> String {
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard value.count <= Limits.emailLength, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
            !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !value.contains(where: \.isWhitespace)
        else {
            throw DomainError(
                "user.email", field: field, "You cannot use '\(text)' as an e-mail address because it is not one (name@domain.ro).")
        }
        return value
    }
}

/// Password rules: a minimum length, no maximum below 64 (ours is 128), and not the user's own e-mail.
public enum PasswordPolicy {
    public static func check(_ password: String, email: String, field: String = "password") throws(ValidationErrors) {
        var problems = ProblemCollector()
        problems.check(
            password.count >= Limits.passwordMinLength,
            DomainError(
                "password.too_short", field: field,
                "You cannot use this password because it is shorter than \(Limits.passwordMinLength) characters."))
        problems.check(
            password.count <= Limits.passwordMaxLength,
            DomainError(
                "password.too_long", field: field,
                "You cannot use this password because it is longer than \(Limits.passwordMaxLength) characters."))
        let lowered = password.lowercased()
        let local = email.split(separator: "@").first.map(String.init) ?? email
        problems.check(
            lowered != email.lowercased() && lowered != local.lowercased(),
            DomainError(
                "password.is_email", field: field, "You cannot use your e-mail address as your password."))
        try problems.throwIfAny()
    }
}
