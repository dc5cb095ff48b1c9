import AsyncHTTPClient
import DropMateWeChatPay
import Foundation
import NIOCore

/// WeChat Pay requests over the outbound HTTP client (`AppDependencies.http`, owned and shut down there).
package struct HTTPPayTransport: PayTransport {
    let http: HTTPClient
    var timeout: TimeAmount = .seconds(10)

    package init(http: HTTPClient) { self.http = http }

    package func send(
        method: String, url: String, headers: [(String, String)], body: String?
    ) async throws -> PayHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)  // a day's trade bill fits easily
        var fields: [String: String] = [:]
        for header in response.headers { fields[header.name.lowercased()] = header.value }
        return PayHTTPResponse(status: Int(response.status.code), headers: fields, body: String(buffer: bytes))
    }
}
