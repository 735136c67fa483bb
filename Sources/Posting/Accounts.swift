import Invoicing

/// The accounts the invoicing rules post to (OMFP 1802/2014 chart), in one place. Settings may later override them
/// per company; the rules take them from here.
public enum InvoicingAccounts {
    /// Clienți.
    public static let receivable = "4111"
    /// Furnizori.
    public static let payable = "401"
    /// TVA colectată.
    public static let vatCollected = "4427"
    /// TVA deductibilă.
    public static let vatDeductible = "4426"
    /// Venituri din activități diverse: charges added to a sales document.
    public static let salesCharges = "708"
    /// Reduceri comerciale acordate: allowances on a sales document.
    public static let salesAllowances = "709"
    /// Reduceri comerciale primite: allowances on a supplier bill.
    public static let purchaseAllowances = "609"
    /// Where a supplier bill's charges go when it has no line to carry them.
    public static let purchaseChargesFallback = DefaultAccounts.servicePurchases
}
