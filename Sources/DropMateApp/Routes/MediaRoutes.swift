import DropMateObjectStore
import Foundation
import Hummingbird
import Logging

/// Public ad images (`/media/ads/…`, so WeChat can show them in news articles) and the local object store's
/// signed, expiring download links (`/files/…?expires=…&sig=…`).
struct MediaRoutes: Sendable {
    let objects: any ObjectStore
    let downloads: LocalDownloadSigner
    let clock: @Sendable () -> Int64
    let logger: Logger

    static let types = [
        "png": "image/png", "jpg": "image/jpeg", "webp": "image/webp",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8", "zip": "application/zip", "svg": "image/svg+xml",
    ]

    func add(to router: Router<BasicRequestContext>) {
        router.get("/media/ads/:file") { _, context in
            let found: String? = context.parameters.get("file")
            let file = found ?? ""
            // Only the raster types an upload can have (`AdImage`): never a document such as SVG, on a public URL.
            guard let type = Self.contentType(file), type.hasPrefix("image/"), type != "image/svg+xml",
                ObjectKey.isValid("ads/\(file)")
            else { return Self.notFound }
            return try await serve(key: "ads/\(file)", type: type, cache: "public, max-age=86400")
        }
        router.get("/files/**") { request, context in
            let key = context.parameters.getCatchAll().joined(separator: "/")
            let query = request.uri.queryParameters
            guard let type = Self.contentType(key) else { return Self.notFound }
            switch downloads.verify(
                key: key, expires: query.get("expires"), signature: query.get("sig"),
                now: Date(timeIntervalSince1970: TimeInterval(clock())))
            {
            case .valid:
                var response = try await serve(key: key, type: type, cache: "private, no-store")
                // A report file is saved, not shown at this origin; its name is a key segment (letters, digits, `-_.`).
                if response.status == .ok, let name = key.split(separator: "/").last {
                    response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
                }
                return response
            case .expired:
                return Response(
                    status: .gone, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "this link has expired")))
            default:
                return Response(
                    status: .forbidden, headers: [.contentType: "text/plain"],
                    body: .init(byteBuffer: ByteBuffer(string: "invalid link")))
            }
        }
    }

    func serve(key: String, type: String, cache: String) async throws -> Response {
        do {
            let bytes = try await objects.get(key: key)
            return Response(
                status: .ok, headers: [.contentType: type, .cacheControl: cache],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        } catch ObjectStoreError.notFound {
            return Self.notFound
        } catch {
            logger.error(
                "object store read failed", metadata: ["dropmate.key": "\(key)", "dropmate.error": "\(error)"])
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "storage unavailable")))
        }
    }

    static func contentType(_ name: String) -> String? {
        name.split(separator: ".").last.flatMap { types[String($0).lowercased()] }
    }

    static let notFound = Response(
        status: .notFound, headers: [.contentType: "text/plain"],
        body: .init(byteBuffer: ByteBuffer(string: "not found")))
}
