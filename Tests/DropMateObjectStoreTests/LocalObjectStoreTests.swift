import Crypto
import Foundation
import Testing

@testable import DropMateObjectStore

@Suite struct LocalObjectStoreTests {
    let directory: String
    let store: LocalObjectStore
    static let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("objstore-\(UUID().uuidString)").path
        let signer = LocalDownloadSigner(
            baseURL: URL(string: "https://dropmate.example")!, secret: SymmetricKey(size: .bits256))
        store = LocalObjectStore(directory: directory, downloadSigner: signer, now: { Self.fixedNow })
    }

    @Test func objectsRoundTripAndDeleteIsIdempotent() async throws {
        try await store.put(key: "ads/42/banner.png", body: .bytes([1, 2, 3]), contentType: "image/png")
        #expect(try await store.exists(key: "ads/42/banner.png"))
        #expect(try await store.get(key: "ads/42/banner.png") == [1, 2, 3])
        try await store.delete(key: "ads/42/banner.png")
        #expect(try await !store.exists(key: "ads/42/banner.png"))
        try await store.delete(key: "ads/42/banner.png")
        await #expect(throws: ObjectStoreError.notFound(key: "ads/42/banner.png")) {
            try await store.get(key: "ads/42/banner.png")
        }
    }

    @Test func overwriteReplacesWholeAndLeavesNoTemporaryFiles() async throws {
        try await store.put(
            key: "a/b.txt", body: .bytes(Array(repeating: 7, count: 100_000)), contentType: "text/plain")
        try await store.put(key: "a/b.txt", body: .bytes([9]), contentType: "text/plain")
        #expect(try await store.get(key: "a/b.txt") == [9])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory + "/a")
        #expect(leftovers == ["b.txt"])
    }

    @Test func fileBodiesAreCopiedFromDisk() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent("src-\(UUID().uuidString)")
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        try Data(bytes).write(to: source)
        defer { try? FileManager.default.removeItem(at: source) }
        try await store.put(key: "big.bin", body: .file(path: source.path), contentType: "application/octet-stream")
        #expect(try await store.get(key: "big.bin") == bytes)
    }

    @Test func aMissingSourceFileFailsWithoutTouchingTheOldObject() async throws {
        try await store.put(key: "keep.txt", body: .bytes([1]), contentType: "text/plain")
        await #expect(throws: ObjectStoreError.self) {
            try await store.put(
                key: "keep.txt", body: .file(path: "/nonexistent/\(UUID().uuidString)"), contentType: "text/plain")
        }
        #expect(try await store.get(key: "keep.txt") == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["keep.txt"])
    }

    @Test(arguments: [
        "", "/etc/passwd", "../secret", "a/../../b", "a/./b", "a//b", "a/", ".hidden", "a/.tmp-x",
        "a\\b", "a b", "名字.png", "a\0b", "a?b", "a%2e%2e/b", String(repeating: "a", count: 513),
    ])
    func hostileKeysAreRefusedByEveryOperation(key: String) async {
        await #expect(throws: ObjectStoreError.self) {
            try await store.put(key: key, body: .bytes([1]), contentType: "text/plain")
        }
        await #expect(throws: ObjectStoreError.self) { try await store.get(key: key) }
        await #expect(throws: ObjectStoreError.self) { try await store.exists(key: key) }
        await #expect(throws: ObjectStoreError.self) { try await store.delete(key: key) }
        await #expect(throws: ObjectStoreError.self) { try await store.downloadURL(key: key, expiresIn: .seconds(60)) }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }

    @Test func downloadLinksVerifyUntilTheyExpireAndRefuseTampering() async throws {
        let signer = LocalDownloadSigner(
            baseURL: URL(string: "https://dropmate.example/")!,
            secret: SymmetricKey(data: Array(repeating: UInt8(1), count: 32)))
        let url = try signer.url(for: "ads/1/x.png", expiresAt: Self.fixedNow.addingTimeInterval(300))
        #expect(url.path == "/files/ads/1/x.png")
        let query = Dictionary(
            uniqueKeysWithValues: URLComponents(url: url, resolvingAgainstBaseURL: false)!.queryItems!.map {
                ($0.name, $0.value!)
            })
        let (expires, sig) = (query["expires"]!, query["sig"]!)
        #expect(signer.verify(key: "ads/1/x.png", expires: expires, signature: sig, now: Self.fixedNow) == .valid)
        #expect(
            signer.verify(
                key: "ads/1/x.png", expires: expires, signature: sig, now: Self.fixedNow.addingTimeInterval(301))
                == .expired)
        #expect(
            signer.verify(key: "ads/1/y.png", expires: expires, signature: sig, now: Self.fixedNow) == .invalidSignature
        )
        #expect(
            signer.verify(key: "ads/1/x.png", expires: String(Int(expires)! + 3600), signature: sig, now: Self.fixedNow)
                == .invalidSignature)
        #expect(signer.verify(key: "ads/1/x.png", expires: expires, signature: "zz", now: Self.fixedNow) == .malformed)
        #expect(signer.verify(key: "ads/1/x.png", expires: nil, signature: sig, now: Self.fixedNow) == .malformed)
        let other = LocalDownloadSigner(baseURL: signer.baseURL, secret: SymmetricKey(size: .bits256))
        #expect(
            other.verify(key: "ads/1/x.png", expires: expires, signature: sig, now: Self.fixedNow) == .invalidSignature)
    }

    @Test func storeLinksComeFromItsSignerAndClock() async throws {
        let url = try await store.downloadURL(key: "ads/2.png", expiresIn: .seconds(60))
        #expect(
            url.absoluteString.hasPrefix(
                "https://dropmate.example/files/ads/2.png?expires=\(Int(Self.fixedNow.timeIntervalSince1970) + 60)&sig="
            ))
        let unsigned = LocalObjectStore(directory: directory)
        await #expect(throws: ObjectStoreError.downloadsNotConfigured) {
            try await unsigned.downloadURL(key: "ads/2.png", expiresIn: .seconds(60))
        }
    }
}
