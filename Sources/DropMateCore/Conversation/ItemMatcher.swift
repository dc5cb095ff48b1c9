/// Near-names: what an unknown piece of text might have meant, by edit distance to every item name and alias.
///
/// Chinese names are never corrected by themselves (one character apart is often another dish: 牛肉饭 is not 牛肉面),
/// only suggested. English names of five letters or more may be corrected when one item alone is that close.
struct ItemMatcher {
    let names: [ItemName]

    enum Verdict: Equatable {
        /// Close and unambiguous: take it, marked as corrected.
        case corrected(item: Int)
        /// Close enough to ask about.
        case suggested(item: Int)
    }

    func verdict(for typed: String) -> Verdict? {
        var scalars = Array(typed.unicodeScalars)
        while let last = scalars.last, last == " " { scalars.removeLast() }
        guard scalars.count >= 2 else { return nil }
        var best: (distance: Int, item: Int, length: Int)?
        var ambiguous = false
        for name in names where abs(name.scalars.count - scalars.count) <= 2 {
            var distance = Self.distance(scalars, name.scalars)
            if scalars.last == "s", name.scalars.last != "s" {
                distance = min(distance, Self.distance(Array(scalars.dropLast()), name.scalars))
            }
            guard distance <= 3 else { continue }
            if let current = best {
                if distance < current.distance {
                    best = (distance, name.item, name.scalars.count); ambiguous = false
                } else if distance == current.distance, name.item != current.item {
                    ambiguous = true
                }
            } else {
                best = (distance, name.item, name.scalars.count)
            }
        }
        guard let best, !ambiguous, best.distance > 0 else { return nil }
        let length = best.length
        let latin =
            names.first { $0.item == best.item && $0.scalars.count == length }?.scalars.allSatisfy(\.isASCII) ?? false
        if latin {
            if (best.distance == 1 && length >= 5) || (best.distance == 2 && length >= 9) {
                return .corrected(item: best.item)
            }
            if (best.distance == 1 && length >= 3) || (best.distance == 2 && length >= 6)
                || (best.distance == 3 && length >= 11)
            {
                return .suggested(item: best.item)
            }
            return nil
        }
        if best.distance == 1, length >= 2, scalars.count >= 2 { return .suggested(item: best.item) }
        return nil
    }

    /// Optimal string alignment distance (Levenshtein plus swapping two neighbours), on scalars.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var before = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { value = min(value, before[j - 2] + 1) }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return previous[b.count]
    }
}
