import Foundation

/// Objects as files under one directory: the embedded default.
///
/// Writes go to a hidden temporary file in the target's directory and are renamed into place, so a reader
/// sees the old object or the new one, never half a file. File I/O is synchronous: objects here are small
/// (ad images) and the embedded mode serves few users.
public struct LocalObjectStore: ObjectStore {
    /// The directory objects live under; created on first write.
    public let directory: URL
    private let downloadSigner: LocalDownloadSigner?
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - directory: where objects are kept, e.g. `$DROPMATE_DATA_DIR/objects`.
    ///   - downloadSigner: makes ``downloadURL(key:expiresIn:)`` links; without it, that method throws.
    ///   - now: the clock link expiries count from.
    public init(
        directory: String, downloadSigner: LocalDownloadSigner? = nil, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.directory = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        self.downloadSigner = downloadSigner
        self.now = now
    }

    public func put(key: String, body: ObjectBody, contentType: String) async throws {
        let target = try fileURL(for: key)
        let folder = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ObjectStoreError.io(path: folder.path, reason: "cannot create directory")
        }
        let temporary = folder.appendingPathComponent(".tmp-\(UUID().uuidString)")
        do {
            try write(body, to: temporary)
            // rename(2) replaces the target atomically within one file system.
            guard rename(temporary.path, target.path) == 0 else {
                throw ObjectStoreError.io(path: target.path, reason: String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    public func get(key: String) async throws -> [UInt8] {
        let url = try fileURL(for: key)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            if FileManager.default.fileExists(atPath: url.path) {
                throw ObjectStoreError.io(path: url.path, reason: "unreadable")
            }
            throw ObjectStoreError.notFound(key: key)
        }
        return Array(data)
    }

    public func delete(key: String) async throws {
        let url = try fileURL(for: key)
        guard unlink(url.path) == 0 || errno == ENOENT else {
            throw ObjectStoreError.io(path: url.path, reason: String(cString: strerror(errno)))
        }
    }

    public func exists(key: String) async throws -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: try fileURL(for: key).path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    public func downloadURL(key: String, expiresIn: Duration) async throws -> URL {
        guard let downloadSigner else { throw ObjectStoreError.downloadsNotConfigured }
        guard expiresIn > .zero else { throw ObjectStoreError.invalidExpiry(reason: "must be positive") }
        return try downloadSigner.url(
            for: key, expiresAt: now().addingTimeInterval(Double(expiresIn.wholeSecondsRoundedUp)))
    }

    /// The file for `key`; the key rules keep it inside ``directory``.
    func fileURL(for key: String) throws(ObjectStoreError) -> URL {
        try ObjectKey.validate(key)
        return directory.appendingPathComponent(key, isDirectory: false)
    }

    private func write(_ body: ObjectBody, to temporary: URL) throws {
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw ObjectStoreError.io(path: temporary.path, reason: "cannot create file")
        }
        let output = try FileHandle(forWritingTo: temporary)
        defer { try? output.close() }
        switch body {
        case .bytes(let bytes):
            try output.write(contentsOf: bytes)
        case .file(let path):
            guard let input = FileHandle(forReadingAtPath: path) else {
                throw ObjectStoreError.io(path: path, reason: "cannot open for reading")
            }
            defer { try? input.close() }
            while let chunk = try input.read(upToCount: FileChunks.defaultChunkSize), !chunk.isEmpty {
                try output.write(contentsOf: chunk)
            }
        }
        // Durable before it becomes visible under its real name.
        try output.synchronize()
    }
}
