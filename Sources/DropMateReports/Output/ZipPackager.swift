import Foundation
import ZIPFoundation

/// Writes a zip archive entry by entry: files are streamed from disk in chunks and deflated,
/// small parts come from memory. Nothing is read whole into memory.
final class ZipPackager {
    private let archive: Archive
    private let bufferSize = 1 << 18

    init(url: URL) throws {
        try? FileManager.default.removeItem(at: url)
        archive = try Archive(url: url, accessMode: .create)
    }

    /// Adds the file at `file` under `path`, deflated.
    func add(path: String, file: URL) throws {
        try archive.addEntry(with: path, fileURL: file, compressionMethod: .deflate, bufferSize: bufferSize)
    }

    /// Adds `text` (UTF-8) under `path`, deflated.
    func add(path: String, text: String) throws {
        let data = Data(text.utf8)
        try archive.addEntry(
            with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
            provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        )
    }
}
