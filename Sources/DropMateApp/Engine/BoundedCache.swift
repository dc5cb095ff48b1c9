/// A dictionary that forgets its oldest entries past `capacity` (first in, first out).
struct BoundedCache<Value> {
    private var values: [String: Value] = [:]
    private var order: [String] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    subscript(key: String) -> Value? { values[key] }

    /// Stores `value`; returns the entry evicted to make room, if any.
    @discardableResult
    mutating func set(_ key: String, _ value: Value) -> (key: String, value: Value)? {
        if values.updateValue(value, forKey: key) != nil { return nil }
        order.append(key)
        guard values.count > capacity else { return nil }
        let oldest = order[head]
        head += 1
        if head > capacity {  // compact now and then so `order` stays bounded
            order.removeFirst(head)
            head = 0
        }
        return values.removeValue(forKey: oldest).map { (oldest, $0) }
    }

    var count: Int { values.count }
}
