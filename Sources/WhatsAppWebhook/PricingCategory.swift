/// Spelling normalisation for `pricing.category` and `conversation.origin.type`.
///
/// Meta's own documents disagree on spellings (reference §12 C2, §13.10), so every value is folded
/// to lower-case snake case and known historic variants are mapped to one name. Unknown values pass
/// through (normalised) so they can be stored and reported, never rejected.
public enum PricingCategory {
    public static let marketing = "marketing"
    public static let marketingLite = "marketing_lite"
    public static let utility = "utility"
    public static let authentication = "authentication"
    public static let authenticationInternational = "authentication_international"
    public static let service = "service"
    public static let referralConversion = "referral_conversion"
    public static let businessInitiated = "business_initiated"
    public static let userInitiated = "user_initiated"

    public static func normalize(_ raw: String) -> String {
        var value = raw.trimmingCharactersInWhitespace().lowercased()
        if value.contains("-") || value.contains(" ") {
            value = String(value.map { $0 == "-" || $0 == " " ? "_" : $0 })
        }
        switch value {
        case "business_initated": return businessInitiated  // typo in Meta's own Postman sample
        case "customer_initiated": return userInitiated  // older Cloud API doc wording
        default: return value
        }
    }
}

extension String {
    func trimmingCharactersInWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let last = lastIndex(where: { !$0.isWhitespace })!
        return String(self[first...last])
    }
}
