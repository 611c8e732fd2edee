import Foundation
import Hummingbird
import HummingbirdCore
import MeterCore

/// The query parameters of a listing route (`/api/v1/reconciliations`, `/api/v1/alerts`): only the
/// names it takes (a typo is refused rather than read as "no filter"), and a bounded `limit`.
struct ListingParameters {
    let parameters: FlatDictionary<Substring, Substring>

    /// Refuses with 400 naming every parameter not in `allowed`.
    init(_ request: Request, allowed: [String]) throws {
        parameters = request.uri.queryParameters
        let unknown = Set(parameters.map { String($0.key) }).subtracting(allowed).sorted()
        if !unknown.isEmpty {
            throw APIError(
                .badRequest,
                "unknown parameter(s) \(unknown.prefix(10).map(echoed).joined(separator: ", ")); "
                    + "this route takes \(allowed.dropLast().joined(separator: ", ")) and \(allowed.last ?? "")")
        }
    }

    /// `limit`, from 1 to `maximum`; `standard` when absent.
    func limit(standard: Int, maximum: Int) throws -> Int {
        guard let text = parameters["limit"] else { return standard }
        guard let number = Int(text), (1...maximum).contains(number) else {
            throw APIError(.badRequest, "limit must be a number from 1 to \(maximum)")
        }
        return number
    }
}
