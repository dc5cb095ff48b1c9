extension Duration {
    /// Whole milliseconds, as Redis's `PX` and `BLOCK` arguments take them.
    package var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
