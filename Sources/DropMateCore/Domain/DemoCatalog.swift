/// The demo shop seeded on the embedded default's first start, so the README's sample chat works: open around the
/// clock, no minimum, free delivery within 10 km of each shop (`ShopRules.demo`), so a first chat works at any hour.
public enum DemoCatalog {
    public static let noodleHouse = Merchant(
        id: "lanzhou", name: LocalizedText(zh: "兰州牛肉面馆", en: "Lanzhou Noodle House"),
        location: Coordinate(latitude: 31.2304, longitude: 121.4737), preparationMinutes: 12, rules: .demo
    )
    public static let dumplings = Merchant(
        id: "dumplings", name: LocalizedText(zh: "幸福饺子馆", en: "Happy Dumplings"),
        location: Coordinate(latitude: 31.2243, longitude: 121.4690), preparationMinutes: 15, rules: .demo
    )

    public static let catalog = Catalog(
        merchants: [noodleHouse, dumplings],
        items: [
            CatalogItem(
                id: "beef-noodles", merchantID: "lanzhou", name: LocalizedText(zh: "牛肉面", en: "beef noodles"),
                description: LocalizedText(
                    zh: "手工拉面，清汤牛肉，每天现熬。", en: "Hand-pulled noodles in clear beef broth, made fresh daily."),
                price: Money(fen: 1800),
                aliases: [
                    "牛肉拉面", "兰州拉面", "兰州牛肉面", "牛肉汤面", "beef noodle", "beef noodle soup", "lanzhou noodles", "noodles",
                    "拉面",
                ], isFeatured: true, position: 1),
            CatalogItem(
                id: "milk-tea", merchantID: "lanzhou", name: LocalizedText(zh: "奶茶", en: "milk tea"),
                description: LocalizedText(zh: "现煮红茶加鲜奶。", en: "Fresh black tea with milk."),
                price: Money(fen: 1200), aliases: ["tea", "珍珠奶茶", "珍奶", "bubble tea", "boba", "boba tea"], position: 2),
            CatalogItem(
                id: "tea-egg", merchantID: "lanzhou", name: LocalizedText(zh: "茶叶蛋", en: "tea egg"),
                description: LocalizedText(zh: "五香茶叶蛋。", en: "Five-spice tea egg."),
                price: Money(fen: 300), aliases: ["egg", "鸡蛋", "茶蛋"], position: 3),
            CatalogItem(
                id: "pork-dumplings", merchantID: "dumplings", name: LocalizedText(zh: "猪肉饺子", en: "pork dumplings"),
                description: LocalizedText(zh: "猪肉白菜饺子，一份 15 个。", en: "Pork and cabbage dumplings, 15 a portion."),
                price: Money(fen: 2200),
                aliases: ["饺子", "水饺", "猪肉水饺", "猪肉白菜饺子", "dumplings", "dumpling", "pork dumpling"], position: 4),
            CatalogItem(
                id: "hot-sour-soup", merchantID: "dumplings", name: LocalizedText(zh: "酸辣汤", en: "spicy sour soup"),
                description: LocalizedText(zh: "酸辣开胃。", en: "Spicy and tangy."),
                price: Money(fen: 1000), aliases: ["soup", "hot sour soup", "hot and sour soup", "hot & sour soup"],
                position: 5),
        ])
}
