import Crypto
import Foundation
import NIOCore

/// A local file read as a sequence of buffers, so an upload streams it instead of loading it whole.
/// Each iteration opens the file afresh, which lets a retried request send the body again.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let defaultChunkSize = 64 * 1024

    let path: String
    var chunkSize = Self.defaultChunkSize

    struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var handle: FileHandle?
        var finished = false

        mutating func next() async throws -> ByteBuffer? {
            if finished { return nil }
            if handle == nil {
                guard let opened = FileHandle(forReadingAtPath: path) else {
                    throw ObjectStoreError.io(path: path, reason: "cannot open for reading")
                }
                handle = opened
            }
            guard let data = try handle?.read(upToCount: chunkSize), !data.isEmpty else {
                finished = true
                try? handle?.close()
                handle = nil
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(path: path, chunkSize: chunkSize)
    }

    /// The file's size and lowercase hex SHA-256, read in one streaming pass.
    static func sizeAndSHA256(of path: String) throws(ObjectStoreError) -> (size: Int64, sha256: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .io(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            while let chunk = try handle.read(upToCount: defaultChunkSize), !chunk.isEmpty {
                hasher.update(data: chunk)
                size += Int64(chunk.count)
            }
        } catch {
            throw .io(path: path, reason: "read failed")
        }
        return (size, SigV4Encoding.hex(hasher.finalize()))
    }
}
