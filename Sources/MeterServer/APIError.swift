import Foundation
import HTTPTypes
import Hummingbird
import MeterCore

/// An error answered as `{"error": "reason"}` with its status, so every client gets a reason it can
/// read (Meta's retry logs, scripts using the API).
public struct APIError: HTTPResponseError {
    public var status: HTTPResponse.Status
    public var reason: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ reason: String, headers: HTTPFields = [:]) {
        self.status = status
        self.reason = reason
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = WireJSON.encode(["error": reason])
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension Response {
    /// A JSON response from already-encoded bytes.
    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
