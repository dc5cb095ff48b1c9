import Crypto
import DropMateCore
import DropMateDataProtection
import DropMateObjectStore
import DropMateStorage
import Foundation

/// `/merchants` and `/ads`: what customers can order, with an active window, a position and an image.
extension StaffAPI {
    struct MerchantBody: Codable {
        var id: String
        var nameZh: String
        var nameEn: String
        var latitude: Double
        var longitude: Double
        var preparationMinutes: Int
        var active: Bool?
    }

    struct AdBody: Codable {
        var id: String
        var merchantId: String
        var nameZh: String
        var nameEn: String
        var descriptionZh: String?
        var descriptionEn: String?
        var priceFen: Int
        var aliases: [String]?
        var featured: Bool?
        var position: Int?
        var active: Bool?
        var startsAt: String?
        var endsAt: String?
        /// Output only.
        var imageUrl: String?
        /// Output only: 估清, set through `/ads/{id}/sold-out`.
        var soldOut: Bool?
    }

    func addCatalogRoutes(_ api: APIRouter) {
        api.on(
            .get, "/merchants", roles: Self.office,
            doc: APIDoc("Every merchant.", answer: .ok("Merchants.", "Items"))
        ) { _ in
            try .json(["items": try await reads.merchants().map { Self.view($0.merchant, active: $0.active) }])
        }
        api.on(
            .get, "/merchants/:id", roles: Self.office,
            doc: APIDoc(
                "One merchant.",
                answer: .ok("The merchant.", "Merchant"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
            return try .json(Self.view(found.merchant, active: found.active))
        }
        api.on(
            .post, "/merchants", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Add a merchant.",
                body: .json("Merchant"),
                answer: .created("Created.", "Merchant"))
        ) { call in try await saveMerchant(call, id: nil) }
        api.on(
            .put, "/merchants/:id", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Replace a merchant.",
                body: .json("Merchant"),
                answer: .ok("The merchant.", "Merchant"),
                errors: [404],
                ids: .slug)
        ) { call in try await saveMerchant(call, id: try Self.slug(call.stringParameter("id"))) }
        api.on(
            .patch, "/merchants/:id", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Change part of a merchant (JSON Merge Patch).",
                body: .mergePatch("MerchantPatch"),
                answer: .ok("The merchant after the change.", "Merchant"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            let patch = try MergePatch.document(call.body, contentType: call.request.headers[.contentType])
            guard let found = try await catalog.merchant(id: id) else { throw APIError.notFound("merchant \(id)") }
            let current = try MergePatch.object(Self.view(found.merchant, active: found.active))
            try MergePatch.refuse(patch, changing: ["id": "a merchant's id is fixed"], in: current)
            let merged = MergePatch.apply(patch, to: current) as? [String: Any] ?? current
            return try await storeMerchant(
                try MergePatch.decode(MerchantBody.self, from: merged), pathID: id, call: call)
        }
        api.on(
            .delete, "/merchants/:id", roles: Self.office,
            doc: APIDoc(
                "Archive a merchant that has no ads left (orders keep naming it).",
                answer: .noContent,
                errors: [409],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            try await catalogWrite {
                try await catalog.archiveMerchant(
                    id: id, now: clock(),
                    audit: call.identity.audit("merchant.archive", target: "merchant:\(id)", at: clock()))
            }
            return .noContent
        }

        api.on(
            .get, "/ads", roles: Self.office,
            doc: APIDoc(
                "Every ad, in position order.",
                answer: .ok("Ads.", "Items"))
        ) { _ in try .json(["items": try await reads.ads().map(view)]) }
        api.on(
            .get, "/ads/:id", roles: Self.office,
            doc: APIDoc("One ad.", answer: .ok("The ad.", "Ad"), errors: [404], ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            guard let ad = try await catalog.ad(id: id) else { throw APIError.notFound("ad \(id)") }
            return try .json(view(ad))
        }
        api.on(
            .post, "/ads", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Add an ad (with an optional active window and a position).",
                body: .json("Ad"),
                answer: .created("Created.", "Ad"))
        ) { call in try await saveAd(call, id: nil) }
        api.on(
            .put, "/ads/:id", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Replace an ad.",
                body: .json("Ad"),
                answer: .ok("The ad.", "Ad"),
                errors: [404],
                ids: .slug)
        ) { call in try await saveAd(call, id: try Self.slug(call.stringParameter("id"))) }
        // Marking an item sold out, moving it or fixing its price touches only what the patch names.
        api.on(
            .patch, "/ads/:id", roles: Self.office, idempotent: true,
            doc: APIDoc(
                "Change part of an ad (JSON Merge Patch): mark it sold out, move it, fix its price, without resending the rest.",
                body: .mergePatch("AdPatch"),
                answer: .ok("The ad after the change.", "Ad"),
                errors: [404],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            let patch = try MergePatch.document(call.body, contentType: call.request.headers[.contentType])
            guard let existing = try await catalog.ad(id: id) else { throw APIError.notFound("ad \(id)") }
            let current = try MergePatch.object(view(existing))
            try MergePatch.refuse(
                patch,
                changing: ["id": "an ad's id is fixed", "image_url": "upload the image with PUT /ads/{id}/image"],
                in: current)
            var soldOut: Bool?
            switch patch["sold_out"] {
            case nil: break
            case is NSNull: soldOut = false
            case let value as Bool: soldOut = value
            default: throw APIError.badRequest("wrong type for \"sold_out\"")
            }
            let merged = MergePatch.apply(patch, to: current) as? [String: Any] ?? current
            return try await storeAd(
                try MergePatch.decode(AdBody.self, from: merged), pathID: id, soldOut: soldOut, call: call)
        }
        api.on(
            .delete, "/ads/:id", roles: Self.office,
            doc: APIDoc("Delete an ad.", answer: .noContent, errors: [404], ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            guard
                try await catalog.deleteAd(
                    id: id, audit: call.identity.audit("ad.delete", target: "ad:\(id)", at: clock()))
            else { throw APIError.notFound("ad \(id)") }
            try await engine.reloadCatalog()
            return .noContent
        }
        api.on(
            .put, "/ads/:id/image", roles: Self.office, idempotent: true, maxBody: AdImage.maxBytes,
            doc: APIDoc(
                "Upload the ad's image (PNG, JPEG or WebP, at most 2 MB) to object storage.",
                body: .binary(["image/png", "image/jpeg", "image/webp"]),
                answer: .ok("The ad.", "Ad"),
                errors: [404, 415, 503],
                ids: .slug)
        ) { call in
            let id = try Self.slug(call.stringParameter("id"))
            guard var ad = try await catalog.ad(id: id) else { throw APIError.notFound("ad \(id)") }
            let image = try AdImage(
                bytes: Array(call.body.readableBytesView), declaredType: call.request.headers[.contentType])
            let key = "ads/\(id)-\(image.digestPrefix).\(image.fileExtension)"
            do {
                try await images.put(key: key, body: .bytes(image.bytes), contentType: image.contentType)
            } catch {
                logger.error(
                    "ad image upload failed", metadata: ["dropmate.ad": "\(id)", "dropmate.error": "\(error)"])
                throw APIError(
                    status: .serviceUnavailable, code: "storage_unavailable",
                    message: "the image store is unavailable; try again")
            }
            let before = ad.imageKey
            ad.imageKey = key
            ad.item.pictureURL = "\(publicBaseURL)/media/\(key)"
            try await catalogWrite {
                try await catalog.save(
                    ad, isNew: false, now: clock(),
                    audit: call.identity.audit("ad.image", target: "ad:\(id)", before: before, after: key, at: clock()))
            }
            return try .json(view(ad))
        }
    }

    func saveMerchant(_ call: APICall, id pathID: String?) async throws -> APIResponse {
        try await storeMerchant(try APIJSON.decode(MerchantBody.self, from: call.body), pathID: pathID, call: call)
    }

    /// Creates (`pathID` nil) or replaces a merchant from a full body (a PUT's, or a PATCH's patched one).
    func storeMerchant(_ body: MerchantBody, pathID: String?, call: APICall) async throws -> APIResponse {
        let id = try Self.slug(pathID ?? body.id)
        if let pathID, body.id != pathID { throw APIError.badRequest("\"id\" must match the path") }
        let location = Coordinate(latitude: body.latitude, longitude: body.longitude)
        guard location.isValid else { throw APIError.badRequest("latitude must be -90…90 and longitude -180…180") }
        guard (0...240).contains(body.preparationMinutes) else {
            throw APIError.badRequest("\"preparation_minutes\" must be 0 to 240")
        }
        let merchant = Merchant(
            id: id,
            name: LocalizedText(
                zh: try Validate.text(body.nameZh, field: "name_zh", max: 60),
                en: try Validate.text(body.nameEn, field: "name_en", max: 60)),
            location: location, preparationMinutes: body.preparationMinutes)
        let before = try await catalog.merchant(id: id)
        let now = clock()
        let diff = try AuditDiff(
            before: before.map { Self.view($0.merchant, active: $0.active) },
            after: Self.view(merchant, active: body.active ?? true))
        try await catalogWrite {
            try await catalog.save(
                merchant, active: body.active ?? true, isNew: pathID == nil, now: now,
                audit: call.identity.audit(
                    pathID == nil ? "merchant.create" : "merchant.update", target: "merchant:\(id)",
                    before: diff.before, after: diff.after ?? "no change", at: now))
        }
        return try .json(Self.view(merchant, active: body.active ?? true), status: pathID == nil ? .created : .ok)
    }

    func saveAd(_ call: APICall, id pathID: String?) async throws -> APIResponse {
        try await storeAd(try APIJSON.decode(AdBody.self, from: call.body), pathID: pathID, soldOut: nil, call: call)
    }

    /// Creates (`pathID` nil) or replaces an ad from a full body (a PUT's, or a PATCH's patched one). `soldOut`: set
    /// the sold-out mark too (a PATCH may; nil keeps it, as a PUT does).
    func storeAd(_ body: AdBody, pathID: String?, soldOut: Bool?, call: APICall) async throws -> APIResponse {
        let id = try Self.slug(pathID ?? body.id)
        if let pathID, body.id != pathID { throw APIError.badRequest("\"id\" must match the path") }
        guard (1...10_000_000).contains(body.priceFen) else {
            throw APIError.badRequest("\"price_fen\" must be 1 to 10,000,000 (fen)")
        }
        let aliases = try (body.aliases ?? []).map { try Validate.text($0, field: "aliases", max: 40) }
        guard aliases.count <= 20 else { throw APIError.badRequest("at most 20 \"aliases\"") }
        let position = body.position ?? 0
        guard (0...100_000).contains(position) else { throw APIError.badRequest("\"position\" must be 0 to 100000") }
        let startsAt = try body.startsAt.map { try time($0, field: "starts_at") }
        let endsAt = try body.endsAt.map { try time($0, field: "ends_at") }
        if let startsAt, let endsAt, endsAt <= startsAt {
            throw APIError.badRequest("\"ends_at\" must be after \"starts_at\"")
        }
        let existing = try await catalog.ad(id: id)
        if pathID != nil, existing == nil { throw APIError.notFound("ad \(id)") }
        var item = CatalogItem(
            id: id, merchantID: try Self.slug(body.merchantId),
            name: LocalizedText(
                zh: try Validate.text(body.nameZh, field: "name_zh", max: 40),
                en: try Validate.text(body.nameEn, field: "name_en", max: 40)),
            description: LocalizedText(
                zh: try Self.optionalText(body.descriptionZh, field: "description_zh", max: 300),
                en: try Self.optionalText(body.descriptionEn, field: "description_en", max: 300)),
            price: Money(fen: body.priceFen), aliases: aliases, isFeatured: body.featured ?? false,
            pictureURL: existing?.item.pictureURL ?? "", position: position)
        // Kept in its own column: a PUT shows it as it is, a PATCH may set it.
        item.soldOut = soldOut.map { $0 ? true : nil } ?? existing?.item.soldOut
        let ad = SQLCatalogStore.Ad(
            item: item, active: body.active ?? true, startsAt: startsAt, endsAt: endsAt, imageKey: existing?.imageKey)
        let now = clock()
        let diff = try AuditDiff(before: existing.map { view($0) }, after: view(ad))
        try await catalogWrite {
            try await catalog.save(
                ad, isNew: pathID == nil, soldOut: soldOut, now: now,
                audit: call.identity.audit(
                    pathID == nil ? "ad.create" : "ad.update", target: "ad:\(id)",
                    before: diff.before, after: diff.after ?? "no change", at: now))
        }
        return try .json(view(ad), status: pathID == nil ? .created : .ok)
    }

    /// Runs a catalog write, then shows customers the new catalog (other replicas reload on their own within 30 s).
    func catalogWrite(_ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as SQLCatalogStore.CatalogError {
            switch error {
            case .exists: throw APIError.conflict(error.description, code: "exists")
            case .unknownMerchant: throw APIError.badRequest(error.description, code: "unknown_merchant")
            case .merchantHasAds: throw APIError.conflict(error.description, code: "merchant_has_ads")
            }
        }
        try await engine.reloadCatalog()
    }

    func time(_ text: String, field: String) throws -> Int64 {
        guard let value = APIJSON.parseTime(text, utcOffset: utcOffset) else {
            throw APIError.badRequest("\"\(field)\" must be an ISO 8601 time or a date")
        }
        return value
    }

    /// An optional text: absent, empty or blank is "" (no description: what an ad without one shows, so a PATCH of
    /// such an ad sends it back unchanged); anything else is checked as `Validate.text` checks it.
    static func optionalText(_ text: String?, field: String, max: Int) throws -> String {
        guard let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return "" }
        return try Validate.text(text, field: field, max: max)
    }

    static func slug(_ text: String) throws -> String {
        guard (1...64).contains(text.count),
            text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        else {
            throw APIError.badRequest("ids are 1 to 64 lowercase letters, digits or dashes")
        }
        return text
    }

    static func view(_ merchant: Merchant, active: Bool) -> MerchantBody {
        MerchantBody(
            id: merchant.id, nameZh: merchant.name.zh, nameEn: merchant.name.en, latitude: merchant.location.latitude,
            longitude: merchant.location.longitude, preparationMinutes: merchant.preparationMinutes, active: active)
    }

    func view(_ ad: SQLCatalogStore.Ad) -> AdBody {
        AdBody(
            id: ad.item.id, merchantId: ad.item.merchantID, nameZh: ad.item.name.zh, nameEn: ad.item.name.en,
            descriptionZh: ad.item.description.zh, descriptionEn: ad.item.description.en, priceFen: ad.item.price.fen,
            aliases: ad.item.aliases, featured: ad.item.isFeatured, position: ad.item.position, active: ad.active,
            startsAt: APIJSON.time(ad.startsAt, utcOffset: utcOffset),
            endsAt: APIJSON.time(ad.endsAt, utcOffset: utcOffset),
            imageUrl: ad.item.pictureURL.isEmpty ? nil : ad.item.pictureURL,
            soldOut: ad.item.isSoldOut)
    }
}

/// An uploaded ad image, checked: at most 2 MB, PNG, JPEG or WebP by its bytes (not only its declared type).
struct AdImage {
    static let maxBytes = 2 * 1024 * 1024
    var bytes: [UInt8]
    var contentType: String
    var fileExtension: String
    var digestPrefix: String

    init(bytes: [UInt8], declaredType: String?) throws {
        guard !bytes.isEmpty else { throw APIError.badRequest("the image is empty", code: "invalid_image") }
        let sniffed: (String, String)?
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            sniffed = ("image/png", "png")
        } else if bytes.starts(with: [0xFF, 0xD8, 0xFF]) {
            sniffed = ("image/jpeg", "jpg")
        } else if bytes.count > 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) {
            sniffed = ("image/webp", "webp")
        } else {
            sniffed = nil
        }
        guard let (type, ext) = sniffed else {
            throw APIError(
                status: .unsupportedMediaType, code: "invalid_image", message: "the image must be PNG, JPEG or WebP")
        }
        let declared = declaredType?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard declared == type || (declared == "image/jpg" && type == "image/jpeg") else {
            throw APIError(
                status: .unsupportedMediaType, code: "invalid_image",
                message: "Content-Type must be \(type) for this image")
        }
        self.bytes = bytes
        contentType = type
        fileExtension = ext
        digestPrefix = Hex.encode(SHA256.hash(data: bytes).prefix(6))
    }
}
