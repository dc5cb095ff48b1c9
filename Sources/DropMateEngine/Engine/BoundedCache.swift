/// A dictionary that forgets its oldest entries past `capacity` (first in, first out).
package struct BoundedCache<Key: Hashable, Value> {
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    private var head = 0
    let capacity: Int

    /// `reserve`: allocate room for the full capacity at once, so inserts never rehash under a lock.
    package init(capacity: Int, reserve: Bool = false) {
        self.capacity = capacity
        if reserve {
            values.reserveCapacity(capacity + 1)
            order.reserveCapacity(capacity + capacity / 2 + 1)
        }
    }

    package subscript(key: Key) -> Value? { values[key] }

    /// Stores `value`; returns the entry evicted to make room, if any.
    @discardableResult
    package mutating func set(_ key: Key, _ value: Value) -> (key: Key, value: Value)? {
        if values.updateValue(value, forKey: key) != nil { return nil }
        order.append(key)
        guard values.count > capacity else { return nil }
        let oldest = order[head]
        head += 1
        if head >= capacity / 2 {  // compact now and then so `order` stays bounded
            order.removeFirst(head)
            head = 0
        }
        return values.removeValue(forKey: oldest).map { (oldest, $0) }
    }

    var count: Int { values.count }
}
