/// The pure conversation machine: `(state, input, facts) → (state, replies, effects)`.
///
/// No clock reads, no ids, no I/O: the engine gathers facts, performs effects and feeds
/// results back (`.orderPlaced`). Customer mistakes are transitions with a polite re-prompt.
public struct ConversationMachine: Sendable {
    public init() {}

    /// The facts a step for `input` will look at, so the engine loads nothing more.
    public static func needs(_ input: ConversationInput, state: ConversationState) -> FactNeeds {
        if state.courierID != nil {
            switch input {
            case .text, .location, .click: return FactNeeds(orders: false, board: false, deliveries: true)
            case .courierActionDone, .courierBound, .reportedLocation, .unsubscribed, .subscribed, .unsupported, .tick:
                return FactNeeds(orders: false, board: false)
            case .orderPlaced, .confirmationLinkUsed, .orderChanged, .etaRefreshed, .staffMessage, .addressGeocoded,
                .cart, .reorderFromPage:
                break  // their own orders as a customer
            }
        }
        let board: Bool
        var moderation = false
        switch input {
        case .text(let text):
            let normalized = TextNormalizer.normalize(text)
            board = IntentParser.keywords[TextNormalizer.trimPunctuation(normalized)] == .boardView
            // Anything that may be a post (a superset of what the parser takes for one) learns whether posts are held.
            moderation = !board && (normalized.contains("留言") || normalized.lowercased().contains("post"))
        case .click(let key): board = ClickKey(rawValue: key) == .board
        default: board = false
        }
        switch input {
        case .reportedLocation, .unsubscribed, .orderPlaced, .courierBound, .courierActionDone, .etaRefreshed,
            .addressGeocoded:
            return FactNeeds(orders: false, board: board)
        default: return FactNeeds(orders: state.hasOrders, board: board, boardModeration: moderation)
        }
    }

    /// One step of `customer`'s conversation.
    public func step(
        customer: String, state: ConversationState, input: ConversationInput, facts: ConversationFacts
    ) -> ConversationStep {
        var turn = StepInProgress(customer: customer, state: state, facts: facts)
        turn.run(input)
        turn.remember(input, before: state)
        return turn.result
    }
}

/// Menu button keys (the Official Account menu's `click` buttons).
public enum ClickKey: String, Sendable, CaseIterable {
    case menu = "MENU"
    case featured = "FEATURED"
    case myOrders = "MY_ORDERS"
    case board = "BOARD"
    case help = "HELP"

    var intent: Intent {
        switch self {
        case .menu: .menu
        case .featured: .featured
        case .myOrders: .eta(orderID: nil)
        case .board: .boardView
        case .help: .help
        }
    }
}

/// One step in progress: the state being changed and what has been said and asked so far.
struct StepInProgress {
    let customer: String
    var state: ConversationState
    let facts: ConversationFacts
    var replies: [Reply] = []
    var effects: [ConversationEffect] = []
    /// The customer's text this turn answers ("" for other inputs): quoted to staff.
    var message = ""

    init(customer: String, state: ConversationState, facts: ConversationFacts) {
        self.customer = customer
        self.state = state
        self.facts = facts
    }

    var result: ConversationStep { ConversationStep(state: state, replies: replies, effects: effects) }

    mutating func run(_ input: ConversationInput) {
        if let courierID = state.courierID, runAsCourier(courierID, input) { return }
        switch input {
        case .text, .location, .click, .subscribed, .unsupported, .cart, .reorderFromPage:
            expireIfIdle(notifyByPush: false)
            state.lastActivityAt = facts.now
        case .tick, .confirmationLinkUsed, .orderChanged, .etaRefreshed:
            expireIfIdle(notifyByPush: true)
        case .reportedLocation, .unsubscribed, .orderPlaced, .courierBound, .courierActionDone, .staffMessage,
            .addressGeocoded:
            break
        }
        if keepOutOfTheWay(input) { return }
        switch input {
        case .text(let text): handleText(text)
        case .location(let coordinate, let label): handleLocation(coordinate, label: label)
        case .reportedLocation(let coordinate):
            if coordinate.isValid { state.profile.lastLocation = DeliveryAddress(text: "", coordinate: coordinate) }
        case .click(let key):
            if let key = ClickKey(rawValue: key) { handle(key.intent, text: "") } else { say(.fallback); remind() }
        case .subscribed: say(.welcome)
        case .unsubscribed: break
        case .unsupported: say(.unsupportedMessage); remind()
        case .orderPlaced(let order): orderPlaced(order)
        case .confirmationLinkUsed(let orderID): confirmThroughLink(orderID)
        case .orderChanged(let order): orderChanged(order)
        case .etaRefreshed(let order, let eta): etaRefreshed(order, eta: eta)
        case .courierBound(let attempt, let code): courierBound(attempt, code: code)
        case .courierActionDone: break  // only a courier's turn asks for one
        case .tick: break
        case .staffMessage(let text, let endsHandoff): staffMessage(text, endsHandoff: endsHandoff)
        case .addressGeocoded(let text, let coordinate): addressGeocoded(text, coordinate)
        case .cart(let cart): fromMenuPage(cart)
        case .reorderFromPage(let orderID):
            if let order = facts.order(id: orderID) { reorder(order) } else { say(.orderNotFound(orderID)) }
        }
    }

    mutating func handleText(_ text: String) {
        guard TextNormalizer.hasWords(text) else {
            say(text.trimmingSpaces().isEmpty ? .emptyMessage : .fallback)
            remind()
            return
        }
        message = text
        noteLanguage(text)
        if answersCancelQuestion(text) || answersAmendQuestion(text) || answersSuggestion(text) { return }
        if let question = CustomerQuestion.parse(text, catalog: facts.catalog) { return answer(question, text: text) }
        handle(IntentParser(catalog: facts.catalog).parse(text), text: text)
    }

    mutating func handle(_ intent: Intent, text: String) {
        switch intent {
        case .greeting: say(.greeting); remind()
        case .help: say(.help); remind()
        case .menu:
            say(facts.catalog.items.isEmpty ? .noAds : .adList)
            if !facts.catalog.items.isEmpty { say(.menuPage(customer: customer, at: facts.now)) }
            remind()
        case .featured:
            if let item = facts.catalog.featured { say(.featuredAd(item)) } else { say(.noAds) }
        case .confirm: confirm()
        case .cancel(let orderID): cancel(orderID)
        case .eta(let orderID): if track(orderID) { remind() }
        case .boardPost(let body): post(body); remind()
        case .boardView: say(.board(facts.board)); remind()
        case .order(let parsed):
            if isAwaitingAddress, parsed.lines.isEmpty, parsed.suggestions.isEmpty, parsed.edits.isEmpty {
                addressText(text)
            } else {
                order(parsed)
            }
        case .edit(let edits): edit(edits)
        case .contact(let address, let phone): contact(address: address, phone: phone)
        case .phone(let phone): savePhone(phone)
        case .bindCourier(let code): effects.append(.bindCourier(code: code))
        case .sameAddress:
            if isAwaitingAddress, let previous = state.profile.lastAddress {
                setAddress(previous)
            } else if state.draft == nil, state.pendingOrderID == nil, !facts.orders.isEmpty {
                reorder()
            }  // "same as last time"
            else {
                say(.fallback); remind()
            }
        case .reorder: reorder()
        case .other:
            if isAwaitingAddress {
                addressText(text)
            } else if isAwaitingPhone {
                say(.invalidPhone)
            } else {
                say(.fallback); remind()
            }
        }
    }

    mutating func say(_ reply: Reply) { replies.append(reply) }

    /// After an interruption, where the customer left off.
    mutating func remind() {
        if let draft = state.draft {
            say(.draftReminder(draft))
        } else if let pending = state.pendingOrderID {
            say(.pendingReminder(orderID: pending))
        }
    }

    /// A draft or unconfirmed order idle for longer than the TTL lapses, with a notice.
    mutating func expireIfIdle(notifyByPush: Bool) {
        guard let expiresAt = state.expiresAt(ttl: facts.rules.draftTTL), facts.now >= expiresAt else { return }
        var notices: [Reply] = []
        if let pending = state.pendingOrderID {
            if let order = facts.order(id: pending),
                case .changed(let expired)? = try? order.applying(.cancel(reason: "expired"), at: facts.now)
            {
                effects.append(.saveOrder(expired))
                notices.append(.orderExpired(expired))
            }
            state.pendingOrderID = nil
        }
        if state.draft != nil {
            state.draft = nil
            notices.append(.draftExpired)
        }
        guard !notices.isEmpty else { return }
        if notifyByPush { effects.append(.push(notices)) } else { replies.append(contentsOf: notices) }
    }
}
