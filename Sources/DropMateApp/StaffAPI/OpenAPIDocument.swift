/// The staff API's OpenAPI 3 document, served at `/api/v1/openapi.yaml`. `OpenAPITests` keeps it true: every
/// registered endpoint is in it with its roles, and nothing else is.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.0.3
info:
  title: DropMate staff API
  version: "1.0"
  description: |
    Staff (admins, dispatchers, couriers) run the business through this API. Log in at /auth/login and send the
    token as `Authorization: Bearer <token>`; API tokens (`dms_…`) work the same way. Each operation lists the
    roles it admits in `x-roles`; any other role gets 403. Writes marked `x-idempotent` honour an
    `Idempotency-Key` header: a repeat gets the first answer (with `Idempotent-Replayed: true`), a repeat while the
    first still runs gets 409 `idempotency_key_in_flight`. Keys are the caller's own (a signed-in staff member, one
    API token, one courier app) and answers are kept 24 hours. Errors are `{"error": {"code", "message"}}`.

    An access token lives 15 minutes. A request with an expired one gets 401 `token_expired` and
    `WWW-Authenticate: Bearer error="invalid_token", error_description="the access token expired"`: get a new one
    with POST /auth/refresh. Any other bad or missing credential is 401 `unauthorized`.

    Times (`format: date-time`) are ISO 8601 in the business time zone with its offset, e.g.
    `2026-12-05T15:30:00+08:00` (DROPMATE_UTC_OFFSET_HOURS, default +08:00). Requests may send a time with any offset
    or in UTC (`2026-12-05T07:30:00Z` is the same instant); where a date alone is allowed it is that day's midnight in
    the business time zone.

    `PATCH` changes part of a resource as a JSON Merge Patch (RFC 7396, `application/merge-patch+json`; plain
    `application/json` is accepted too): a member left out stays as it is, `null` clears it where it may be empty (a
    required one answers 400), any other value replaces it; the result is checked as a full `PUT` of it would be.
    Read-only members may be sent unchanged, never changed (400 `read_only`). The audit log records, for every
    update, only the members that changed, before and after, with phone numbers masked.
servers:
  - url: /api/v1
security:
  - bearer: []
components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
  parameters:
    Id:
      name: id
      in: path
      required: true
      schema: {type: integer, format: int64, minimum: 1}
    Slug:
      name: id
      in: path
      required: true
      schema: {type: string, pattern: "^[a-z0-9-]{1,64}$"}
    OpenID:
      name: openid
      in: path
      required: true
      schema: {type: string, pattern: "^[A-Za-z0-9_-]{1,64}$"}
    IdempotencyKey:
      name: Idempotency-Key
      in: header
      required: false
      schema: {type: string, minLength: 1, maxLength: 200, pattern: "^[!-~]+$"}
    Page:
      name: page
      in: query
      schema: {type: integer, minimum: 1, maximum: 100000}
    PerPage:
      name: per_page
      in: query
      schema: {type: integer, minimum: 1, maximum: 100}
  responses:
    Error:
      description: The request was refused; the body says why.
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Error"}
    NoContent:
      description: Done.
  schemas:
    Error:
      type: object
      required: [error]
      properties:
        error:
          type: object
          required: [code, message]
          properties:
            code: {type: string}
            message: {type: string}
    Login:
      type: object
      required: [username, password]
      properties:
        username: {type: string, maxLength: 200}
        password: {type: string, maxLength: 1024}
    Refresh:
      type: object
      required: [refresh_token]
      properties:
        refresh_token: {type: string, maxLength: 200}
    Tokens:
      type: object
      required: [token, token_type, expires_in, refresh_token, role]
      properties:
        token: {type: string}
        token_type: {type: string, enum: [Bearer]}
        expires_in: {type: integer}
        refresh_token: {type: string}
        role: {type: string, enum: [admin, dispatcher, courier]}
    Staff:
      type: object
      required: [id, username, role, wechat_bound, notify_reports, notify_orders, active]
      properties:
        id: {type: integer, format: int64}
        username: {type: string}
        role: {type: string, enum: [admin, dispatcher, courier]}
        courier_id: {type: integer, format: int64}
        wechat_bound: {type: boolean}
        notify_reports: {type: boolean}
        notify_orders: {type: boolean, description: "A new confirmed (or, with payment required, paid) order is pushed to their bound WeChat."}
        active: {type: boolean}
    NewStaff:
      type: object
      required: [username, password, role]
      properties:
        username: {type: string, pattern: "^[A-Za-z0-9._-]{3,40}$"}
        password: {type: string, minLength: 10, maxLength: 1024}
        role: {type: string, enum: [admin, dispatcher, courier]}
        courier_id: {type: integer, format: int64, minimum: 1}
    NewToken:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1, maxLength: 80}
    TokenIssued:
      type: object
      required: [id, token, name]
      properties:
        id: {type: integer, format: int64}
        token: {type: string}
        name: {type: string}
    PasswordChange:
      type: object
      required: [current_password, new_password]
      properties:
        current_password: {type: string, maxLength: 1024}
        new_password: {type: string, minLength: 10, maxLength: 1024}
    PasswordReset:
      type: object
      required: [new_password]
      properties:
        new_password: {type: string, minLength: 10, maxLength: 1024}
    Subscriptions:
      type: object
      required: [notify_orders, notify_reports]
      properties:
        notify_orders: {type: boolean}
        notify_reports: {type: boolean}
    Notifications:
      description: "Kept for existing setups: binds a raw OpenID (absent or null unbinds). New setups bind with a code (`/staff/{id}/binding-code`) and switch notices with `/staff/{id}/subscriptions`."
      type: object
      required: [notify_reports]
      properties:
        wechat_openid: {type: string, pattern: "^[A-Za-z0-9_-]{1,64}$"}
        notify_reports: {type: boolean}
    OrderLine:
      type: object
      properties:
        item_id: {type: string}
        name: {type: string}
        quantity: {type: integer}
        unit_price_fen: {type: integer}
        note: {type: string, description: "the customer's instruction for this line, as typed (不要香菜, no cilantro)"}
    Order:
      type: object
      required: [id, status, customer, merchant_id, lines, items_total_fen, delivery_fee_fen, total_fen, distance_unknown, phone, address]
      properties:
        id: {type: integer, format: int64}
        status: {type: string, enum: [awaiting_confirmation, confirmed, dispatched, delivered, cancelled]}
        customer: {type: string}
        merchant_id: {type: string}
        courier_id: {type: integer, format: int64}
        courier_name: {type: string}
        lines: {type: array, items: {$ref: "#/components/schemas/OrderLine"}}
        note: {type: string, description: "the customer's note for the whole order, as typed"}
        items_total_fen: {type: integer, description: "the lines' sum"}
        delivery_fee_fen: {type: integer, description: "the merchant's delivery fee for this order (0: free delivery)"}
        total_fen: {type: integer, description: "items plus delivery fee: what the customer pays"}
        distance_metres: {type: integer, description: "straight-line metres from the shop to the WeChat location"}
        distance_unknown: {type: boolean, description: "true for a typed address nobody could measure: staff should check it"}
        scheduled_for: {type: string, format: date-time, description: "taken while the shop was closed: made when it opens then"}
        phone: {type: string, description: "whole for admins, and for the courier the order is dispatched to until it is delivered; masked (138****8000) for everyone else"}
        address: {type: string}
        latitude: {type: number}
        longitude: {type: number}
        created_at: {type: string, format: date-time}
        confirmed_at: {type: string, format: date-time}
        dispatched_at: {type: string, format: date-time}
        picked_up_at: {type: string, format: date-time}
        delivered_at: {type: string, format: date-time}
        cancelled_at: {type: string, format: date-time}
        cancel_reason: {type: string}
        promised_at: {type: string, format: date-time}
        latest_eta: {type: string, format: date-time}
        payment: {$ref: "#/components/schemas/Payment"}
    Payment:
      type: object
      description: WeChat Pay's state of the order (present only when payment is configured). Money in fen.
      required: [status, amount_fen, refunds]
      properties:
        status: {type: string, enum: [not_required, unpaid, paid, refunding, refunded, partially_refunded, closed]}
        method:
          type: string
          enum: [wechat_pay, cash_on_delivery]
          description: "How the customer pays: wechat_pay once paid online; cash_on_delivery (with status not_required) when the customer chose 货到付款 (DROPMATE_PAYMENT=optional); absent while undecided."
        amount_fen: {type: integer}
        paid_at: {type: string, format: date-time}
        transaction_id: {type: string}
        refunds:
          type: array
          items:
            type: object
            required: [out_refund_no, amount_fen, reason, status]
            properties:
              out_refund_no: {type: string}
              amount_fen: {type: integer}
              reason: {type: string}
              status: {type: string, enum: [processing, succeeded, failed]}
              requested_at: {type: string, format: date-time}
              finished_at: {type: string, format: date-time}
    Refund:
      type: object
      required: [amount_fen, reason]
      properties:
        amount_fen: {type: integer, minimum: 1}
        reason: {type: string, minLength: 1, maxLength: 80}
    OrderPage:
      type: object
      required: [items, page, per_page, total]
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Order"}}
        page: {type: integer}
        per_page: {type: integer}
        total: {type: integer}
    OrderDetail:
      type: object
      required: [order, history, posts]
      properties:
        order: {$ref: "#/components/schemas/Order"}
        history:
          type: array
          items:
            type: object
            properties:
              status: {type: string}
              at: {type: string, format: date-time}
        posts:
          type: array
          items:
            type: object
            properties:
              id: {type: integer}
              body: {type: string}
              created_at: {type: string, format: date-time}
    Dispatch:
      type: object
      required: [courier_id]
      properties:
        courier_id: {type: integer, format: int64, minimum: 1}
    Cancel:
      type: object
      required: [reason]
      properties:
        reason: {type: string, minLength: 1, maxLength: 200}
    Courier:
      type: object
      required: [id, name, active, wechat_bound]
      properties:
        id: {type: integer, format: int64}
        name: {type: string}
        phone: {type: string}
        active: {type: boolean}
        wechat_bound: {type: boolean}
        latitude: {type: number}
        longitude: {type: number}
        position_at: {type: string, format: date-time}
    CourierPatch:
      type: object
      description: JSON Merge Patch of a courier; only `name` and `phone` change here (null clears the phone).
      properties:
        name: {type: string, minLength: 1, maxLength: 40}
        phone: {type: string, nullable: true, pattern: "^1[3-9][0-9]{9}$"}
    MerchantPatch:
      type: object
      description: JSON Merge Patch of a merchant (its `id` is fixed); every member is optional.
      properties:
        name_zh: {type: string, minLength: 1, maxLength: 60}
        name_en: {type: string, minLength: 1, maxLength: 60}
        latitude: {type: number, minimum: -90, maximum: 90}
        longitude: {type: number, minimum: -180, maximum: 180}
        preparation_minutes: {type: integer, minimum: 0, maximum: 240}
        active: {type: boolean}
    AdPatch:
      type: object
      description: |
        JSON Merge Patch of an ad: `{"sold_out": true}` marks it sold out and leaves everything else as it is; null
        clears an optional member (description, aliases, position, window). Its `id` and `image_url` are fixed here.
      properties:
        merchant_id: {type: string, pattern: "^[a-z0-9-]{1,64}$"}
        name_zh: {type: string, minLength: 1, maxLength: 40}
        name_en: {type: string, minLength: 1, maxLength: 40}
        description_zh: {type: string, nullable: true, maxLength: 300}
        description_en: {type: string, nullable: true, maxLength: 300}
        price_fen: {type: integer, minimum: 1, maximum: 10000000}
        aliases: {type: array, nullable: true, maxItems: 20, items: {type: string, minLength: 1, maxLength: 40}}
        featured: {type: boolean, nullable: true}
        position: {type: integer, nullable: true, minimum: 0, maximum: 100000}
        active: {type: boolean, nullable: true}
        starts_at: {type: string, nullable: true, format: date-time}
        ends_at: {type: string, nullable: true, format: date-time}
        sold_out: {type: boolean, nullable: true, description: "估清 (null: not sold out)"}
    NewCourier:
      type: object
      required: [name]
      properties:
        name: {type: string, minLength: 1, maxLength: 40}
        phone: {type: string, pattern: "^1[3-9][0-9]{9}$"}
    CourierCreated:
      type: object
      required: [courier, api_token, binding_code]
      properties:
        courier: {$ref: "#/components/schemas/Courier"}
        api_token: {type: string}
        binding_code: {type: string}
        binding_code_expires_at: {type: string, format: date-time}
    CourierToken:
      type: object
      required: [courier_id, api_token]
      properties:
        courier_id: {type: integer, format: int64}
        api_token: {type: string, description: "shown only now"}
    BindingCode:
      type: object
      required: [code]
      properties:
        code: {type: string}
        expires_at: {type: string, format: date-time}
    Position:
      type: object
      required: [latitude, longitude]
      properties:
        latitude: {type: number, minimum: -90, maximum: 90}
        longitude: {type: number, minimum: -180, maximum: 180}
    PositionAccepted:
      type: object
      required: [courier_id, deliveries]
      properties:
        courier_id: {type: integer}
        deliveries: {type: integer}
    Merchant:
      type: object
      required: [id, name_zh, name_en, latitude, longitude, preparation_minutes]
      properties:
        id: {type: string, pattern: "^[a-z0-9-]{1,64}$"}
        name_zh: {type: string, minLength: 1, maxLength: 60}
        name_en: {type: string, minLength: 1, maxLength: 60}
        latitude: {type: number, minimum: -90, maximum: 90}
        longitude: {type: number, minimum: -180, maximum: 180}
        preparation_minutes: {type: integer, minimum: 0, maximum: 240}
        active: {type: boolean}
    Ad:
      type: object
      required: [id, merchant_id, name_zh, name_en, price_fen]
      properties:
        id: {type: string, pattern: "^[a-z0-9-]{1,64}$"}
        merchant_id: {type: string, pattern: "^[a-z0-9-]{1,64}$"}
        name_zh: {type: string, minLength: 1, maxLength: 40}
        name_en: {type: string, minLength: 1, maxLength: 40}
        description_zh: {type: string, maxLength: 300}
        description_en: {type: string, maxLength: 300}
        price_fen: {type: integer, minimum: 1, maximum: 10000000}
        aliases: {type: array, maxItems: 20, items: {type: string, minLength: 1, maxLength: 40}}
        featured: {type: boolean}
        position: {type: integer, minimum: 0, maximum: 100000}
        active: {type: boolean}
        starts_at: {type: string, format: date-time}
        ends_at: {type: string, format: date-time}
        image_url: {type: string, readOnly: true}
        sold_out: {type: boolean, readOnly: true, description: "估清: set with PATCH {\"sold_out\": true} or POST /ads/{id}/sold-out, cleared with DELETE"}
    Interval:
      type: object
      required: [opens, closes]
      properties:
        opens: {type: string, pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$"}
        closes: {type: string, pattern: "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", description: "at or before opens: past midnight into the next day"}
    Intervals:
      type: array
      maxItems: 6
      items: {$ref: "#/components/schemas/Interval"}
    ShopRules:
      type: object
      description: |
        A merchant's rules. On a write, an absent field means: no hours (open around the clock), no radius, no minimum,
        free delivery, no orders for later; preparation_minutes keeps its value. Times are in the business time zone.
        Intervals may not overlap (one past midnight counts on the next day). The chat applies the rules in a later change.
      properties:
        hours:
          type: object
          nullable: true
          description: each day's opening intervals; a day left out is closed
          additionalProperties: false
          properties:
            mon: {$ref: "#/components/schemas/Intervals"}
            tue: {$ref: "#/components/schemas/Intervals"}
            wed: {$ref: "#/components/schemas/Intervals"}
            thu: {$ref: "#/components/schemas/Intervals"}
            fri: {$ref: "#/components/schemas/Intervals"}
            sat: {$ref: "#/components/schemas/Intervals"}
            sun: {$ref: "#/components/schemas/Intervals"}
        delivery_radius_metres: {type: integer, minimum: 1, maximum: 100000, description: "straight-line distance from the shop; absent: no limit"}
        minimum_order_fen: {type: integer, minimum: 0, maximum: 1000000}
        delivery_fee:
          type: object
          description: "either flat_fen or bands (ascending; a band covers distances up to and including up_to_metres; only the last may omit it); {} is free"
          properties:
            flat_fen: {type: integer, minimum: 0, maximum: 100000}
            bands:
              type: array
              minItems: 1
              maxItems: 10
              items:
                type: object
                required: [fee_fen]
                properties:
                  up_to_metres: {type: integer, minimum: 1, maximum: 100000}
                  fee_fen: {type: integer, minimum: 0, maximum: 100000}
        preparation_minutes: {type: integer, minimum: 0, maximum: 240}
        accepts_orders_for_later: {type: boolean, description: "while closed, take orders for the next opening"}
        paused: {type: boolean, readOnly: true}
        paused_until: {type: string, format: date-time, readOnly: true}
        state: {type: string, enum: [open, closed, paused], readOnly: true, description: "whether the shop takes orders now"}
        state_until: {type: string, format: date-time, readOnly: true, description: "when the state next changes (closes, opens, or takes orders again)"}
    Pause:
      type: object
      properties:
        until: {type: string, description: "ISO 8601 time or a date (its midnight in the business time zone), in the future; absent: until resumed"}
    Post:
      type: object
      required: [id, customer, body, state]
      properties:
        id: {type: integer, format: int64}
        customer: {type: string}
        order_id: {type: integer, format: int64}
        body: {type: string}
        created_at: {type: string, format: date-time}
        state: {type: string, enum: [visible, held, hidden, removed, rejected], description: "held: waiting for review (the business holds public posts); rejected: refused at review"}
        reason: {type: string}
    Reply:
      type: object
      required: [body]
      properties:
        body: {type: string, minLength: 1, maxLength: 500}
    StaffMessage:
      type: object
      required: [body]
      properties:
        body: {type: string, minLength: 1, maxLength: 500}
        end_handoff: {type: boolean}
    BoardSettings:
      type: object
      required: [hold_posts]
      properties:
        hold_posts: {type: boolean, description: "public posts wait for staff to approve them before they show (the customer is told so)"}
    Moderation:
      type: object
      required: [reason]
      properties:
        reason: {type: string, minLength: 1, maxLength: 200}
    Job:
      type: object
      required: [id, kind, attempts, max_attempts]
      properties:
        id: {type: integer, format: int64}
        kind: {type: string}
        attempts: {type: integer}
        max_attempts: {type: integer}
        last_error: {type: string}
    Customer:
      type: object
      required: [openid, phone, orders]
      properties:
        openid: {type: string}
        phone: {type: string}
        orders: {type: array, items: {type: integer, format: int64}}
    AuditEntry:
      type: object
      required: [id, actor, role, action, target]
      properties:
        id: {type: integer, format: int64}
        actor: {type: string}
        role: {type: string}
        action: {type: string}
        target: {type: string}
        before: {type: string}
        after: {type: string}
        at: {type: string, format: date-time}
    Items:
      type: object
      required: [items]
      properties:
        items: {type: array, items: {}}
    ReportSummary:
      type: object
      description: A day's figures. Money in integer fen; durations in seconds; rates from 0 to 1 (null when nothing was measured).
      properties:
        placed: {type: integer}
        confirmed: {type: integer}
        delivered: {type: integer}
        cancelled: {type: integer}
        cancelled_by_reason: {type: array, items: {type: object, properties: {reason: {type: string}, count: {type: integer}}}}
        revenue_fen: {type: integer}
        average_delivery_seconds: {type: number, nullable: true}
        p90_delivery_seconds: {type: integer, nullable: true}
        on_time_rate: {type: number, nullable: true}
        eta_mean_absolute_error_minutes: {type: number, nullable: true}
        pushes_sent: {type: integer}
        pushes_failed: {type: integer}
        sms_sent: {type: integer}
        board_posts: {type: integer}
        dead_jobs: {type: integer}
        top_items: {type: array, items: {type: object, properties: {name: {type: string}, quantity: {type: integer}, revenue_fen: {type: integer}}}}
    Report:
      type: object
      required: [date, summary, files, page_url]
      properties:
        date: {type: string, format: date}
        built_at: {type: string, format: date-time}
        summary: {$ref: "#/components/schemas/ReportSummary"}
        files:
          type: object
          description: Signed download URLs, valid until links_expire_at.
          properties:
            xlsx: {type: string, format: uri}
            chart: {type: string, format: uri}
            csv: {type: object, additionalProperties: {type: string, format: uri}}
        page_url: {type: string, format: uri, description: "The H5 report page (a signed link, as in the WeChat notice)."}
        links_expire_at: {type: string, format: date-time}
    ReportBuild:
      type: object
      properties:
        date: {type: string, format: date, description: "The business day (default: yesterday in DROPMATE_TIMEZONE)."}
        force: {type: boolean, description: "Build again even if the date was built before."}
paths:
  /openapi.yaml:
    get:
      summary: This document.
      security: []
      x-roles: []
      responses:
        "200": {description: The OpenAPI document., content: {application/yaml: {schema: {type: string}}}}
  /auth/login:
    post:
      summary: Log in with a username and password.
      security: []
      x-roles: []
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Login"}}}
      responses:
        "200": {description: Tokens., content: {application/json: {schema: {$ref: "#/components/schemas/Tokens"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "429": {$ref: "#/components/responses/Error"}
        "503": {description: "Too many sign-ins at once; try again after `Retry-After` seconds.", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /auth/refresh:
    post:
      summary: Trade a refresh token (once) for new tokens; a spent token presented again revokes every token of its login.
      security: []
      x-roles: []
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Refresh"}}}
      responses:
        "200": {description: Tokens., content: {application/json: {schema: {$ref: "#/components/schemas/Tokens"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
  /auth/me:
    get:
      summary: The caller's account.
      x-roles: [admin, dispatcher, courier]
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "401": {$ref: "#/components/responses/Error"}
  /auth/password:
    put:
      summary: Change one's own password (the current one is needed); every other session ends, the caller gets new tokens.
      x-roles: [admin, dispatcher, courier]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/PasswordChange"}}}
      responses:
        "200": {description: New tokens., content: {application/json: {schema: {$ref: "#/components/schemas/Tokens"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "429": {$ref: "#/components/responses/Error"}
        "503": {description: "Too many sign-ins at once; try again after `Retry-After` seconds.", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /staff:
    get:
      summary: Every staff account.
      x-roles: [admin]
      responses:
        "200": {description: Accounts., content: {application/json: {schema: {type: object, properties: {staff: {type: array, items: {$ref: "#/components/schemas/Staff"}}}}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    post:
      summary: Create a staff account.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/NewStaff"}}}
      responses:
        "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /staff/{id}/api-tokens:
    post:
      summary: Issue an API token for automation (shown once).
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/NewToken"}}}
      responses:
        "201": {description: The token., content: {application/json: {schema: {$ref: "#/components/schemas/TokenIssued"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    get:
      summary: A staff member's API tokens (names and ids; the tokens themselves are never stored).
      x-roles: [admin]
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "200": {description: Tokens., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /staff/{id}/api-tokens/{token}:
    delete:
      summary: Revoke an API token; it is refused from the next request on.
      x-roles: [admin]
      x-idempotent: true
      parameters:
        - {$ref: "#/components/parameters/Id"}
        - {name: token, in: path, required: true, schema: {type: integer, format: int64, minimum: 1}}
        - {$ref: "#/components/parameters/IdempotencyKey"}
      responses:
        "204": {$ref: "#/components/responses/NoContent"}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /staff/{id}/deactivate:
    post:
      summary: Deactivate a staff member; their access tokens, refresh tokens and API tokens stop working at once.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /staff/{id}/reactivate:
    post:
      summary: Reactivate a staff member; they log in again (earlier sessions stay ended), their API tokens work again.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /staff/{id}/password:
    put:
      summary: Reset another staff member's password; their sessions end at once (one's own is changed at /auth/password).
      x-roles: [admin]
      parameters: [{$ref: "#/components/parameters/Id"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/PasswordReset"}}}
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "503": {description: "Too many sign-ins at once; try again after `Retry-After` seconds.", content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /staff/{id}/notifications:
    put:
      summary: Whether (and in which WeChat account) a staff member gets report notices.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Notifications"}}}
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /staff/{id}/binding-code:
    post:
      summary: "A one-time code the staff member sends in WeChat as \"绑定 CODE\" to receive staff notices there (eight characters, valid 30 minutes, dead after 10 wrong codes from anyone; the old one stops working). Admins for anyone, dispatchers for themselves."
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "201": {description: The code., content: {application/json: {schema: {$ref: "#/components/schemas/BindingCode"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /staff/{id}/subscriptions:
    put:
      summary: Which notices the staff member gets in their bound WeChat (new orders, daily reports). Admins for anyone, dispatchers for themselves.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Subscriptions"}}}
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /staff/{id}/wechat:
    delete:
      summary: Unbind the staff member's WeChat (and drop an outstanding binding code); nothing is pushed to them any more. Admins for anyone, dispatchers for themselves.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "200": {description: The account., content: {application/json: {schema: {$ref: "#/components/schemas/Staff"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /orders:
    get:
      summary: Orders, newest first, filtered and paged.
      x-roles: [admin, dispatcher]
      parameters:
        - {name: status, in: query, schema: {type: string, enum: [awaiting_confirmation, confirmed, dispatched, delivered, cancelled]}}
        - {name: from, in: query, description: "placed at or after (YYYY-MM-DD in the business time zone, or ISO 8601)", schema: {type: string}}
        - {name: to, in: query, description: "placed before", schema: {type: string}}
        - {name: merchant, in: query, schema: {type: string, maxLength: 64}}
        - {name: courier, in: query, schema: {type: integer, minimum: 1}}
        - {name: phone, in: query, description: "the customer's mobile number (matched through a keyed hash); a dispatcher's searches by number are audited and limited to 20 an hour", schema: {type: string, maxLength: 20}}
        - {$ref: "#/components/parameters/Page"}
        - {$ref: "#/components/parameters/PerPage"}
      responses:
        "200": {description: A page of orders., content: {application/json: {schema: {$ref: "#/components/schemas/OrderPage"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "429": {$ref: "#/components/responses/Error"}
  /orders/{id}:
    get:
      summary: One order with its history and board posts.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "200": {description: The order., content: {application/json: {schema: {$ref: "#/components/schemas/OrderDetail"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /orders/{id}/dispatch:
    post:
      summary: "Dispatch the order to a courier (or hand it to another); the customer and the courier are told. Refused (409 `courier_unreachable`) when nothing would reach the courier: no WeChat bound and no phone number or no SMS provider."
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Dispatch"}}}
      responses:
        "200": {description: The order., content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /orders/{id}/deliver:
    post:
      summary: Mark the order delivered (couriers only their own).
      x-roles: [admin, dispatcher, courier]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The order., content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /orders/{id}/cancel:
    post:
      summary: Cancel the order with a reason; the customer is told.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Cancel"}}}
      responses:
        "200": {description: The order., content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /orders/{id}/refund:
    post:
      summary: Refund part or all of a WeChat Pay payment with a reason (audited); the customer is told. 409 when payment is off or the order was not paid.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Refund"}}}
      responses:
        "200": {description: The order with its payment., content: {application/json: {schema: {$ref: "#/components/schemas/Order"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /courier/deliveries:
    get:
      summary: The calling courier's deliveries in progress.
      x-roles: [courier]
      responses:
        "200": {description: Orders., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
  /courier/position:
    post:
      summary: The calling courier's position (a courier account, or a courier app's `dmc_` token); their deliveries' ETAs are refreshed.
      x-roles: [courier]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Position"}}}
      responses:
        "202": {description: Accepted., content: {application/json: {schema: {$ref: "#/components/schemas/PositionAccepted"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
  /couriers:
    get:
      summary: Every courier with their last position.
      x-roles: [admin, dispatcher]
      responses:
        "200": {description: Couriers., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    post:
      summary: Add a courier (admins only, as every courier credential); returns their app token and a WeChat binding code.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/NewCourier"}}}
      responses:
        "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/CourierCreated"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /couriers/{id}:
    patch:
      summary: Change a courier's name or phone (JSON Merge Patch; null clears the phone). Admins only, as every courier credential.
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/merge-patch+json: {schema: {$ref: "#/components/schemas/CourierPatch"}}, application/json: {schema: {$ref: "#/components/schemas/CourierPatch"}}}
      responses:
        "200": {description: The courier after the change., content: {application/json: {schema: {$ref: "#/components/schemas/Courier"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /couriers/{id}/binding-code:
    post:
      summary: A new WeChat binding code for the courier (eight characters, valid 30 minutes, dead after 10 wrong codes from anyone; the old one stops working).
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "201": {description: The code., content: {application/json: {schema: {$ref: "#/components/schemas/BindingCode"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /couriers/{id}/deactivate:
    post:
      summary: Switch the courier off at once (their WeChat chat becomes a customer's, their binding and code are dropped, their app token is refused).
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The courier., content: {application/json: {schema: {$ref: "#/components/schemas/Courier"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /couriers/{id}/reactivate:
    post:
      summary: Switch the courier on again (their app token works again unless revoked; WeChat needs a new binding code).
      x-roles: [admin]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The courier., content: {application/json: {schema: {$ref: "#/components/schemas/Courier"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /couriers/{id}/api-token:
    post:
      summary: A new app token for the courier (shown once); the old one stops working at once.
      x-roles: [admin]
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "201": {description: The token., content: {application/json: {schema: {$ref: "#/components/schemas/CourierToken"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    delete:
      summary: Revoke the courier's app token at once (until a new one is issued).
      x-roles: [admin]
      parameters: [{$ref: "#/components/parameters/Id"}]
      responses:
        "204": {description: Revoked.}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /merchants:
    get:
      summary: Every merchant.
      x-roles: [admin, dispatcher]
      responses:
        "200": {description: Merchants., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    post:
      summary: Add a merchant.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}
      responses:
        "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /merchants/{id}:
    get:
      summary: One merchant.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "200": {description: The merchant., content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    put:
      summary: Replace a merchant.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}
      responses:
        "200": {description: The merchant., content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    patch:
      summary: Change part of a merchant (JSON Merge Patch).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/merge-patch+json: {schema: {$ref: "#/components/schemas/MerchantPatch"}}, application/json: {schema: {$ref: "#/components/schemas/MerchantPatch"}}}
      responses:
        "200": {description: The merchant after the change., content: {application/json: {schema: {$ref: "#/components/schemas/Merchant"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    delete:
      summary: Archive a merchant that has no ads left (orders keep naming it).
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "204": {$ref: "#/components/responses/NoContent"}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
  /merchants/{id}/rules:
    get:
      summary: The merchant's rules, its pause and whether it takes orders now.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "200": {description: The rules., content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    put:
      summary: Replace the merchant's rules (hours, radius, minimum, fee, preparation time, orders for later); the pause stays.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}
      responses:
        "200": {description: The rules., content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    patch:
      summary: 'Change some of the merchant''s rules (JSON Merge Patch of ShopRules; `"hours": {"sun": null}` closes Sundays, `"hours": null` opens around the clock); the pause stays.'
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/merge-patch+json: {schema: {$ref: "#/components/schemas/ShopRules"}}, application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}
      responses:
        "200": {description: The rules after the change., content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /merchants/{id}/pause:
    post:
      summary: 暂停接单 — stop taking orders now, until a time or until resumed.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: false
        content: {application/json: {schema: {$ref: "#/components/schemas/Pause"}}}
      responses:
        "200": {description: The rules., content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /merchants/{id}/resume:
    post:
      summary: Take orders again (by the opening hours).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The rules., content: {application/json: {schema: {$ref: "#/components/schemas/ShopRules"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /ads:
    get:
      summary: Every ad, in position order.
      x-roles: [admin, dispatcher]
      responses:
        "200": {description: Ads., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    post:
      summary: Add an ad (with an optional active window and a position).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}
      responses:
        "201": {description: Created., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /ads/{id}:
    get:
      summary: One ad.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "200": {description: The ad., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
    put:
      summary: Replace an ad.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}
      responses:
        "200": {description: The ad., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    patch:
      summary: 'Change part of an ad (JSON Merge Patch): mark it sold out, move it, fix its price, without resending the rest.'
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/merge-patch+json: {schema: {$ref: "#/components/schemas/AdPatch"}}, application/json: {schema: {$ref: "#/components/schemas/AdPatch"}}}
      responses:
        "200": {description: The ad after the change., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    delete:
      summary: Delete an ad.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "204": {$ref: "#/components/responses/NoContent"}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /ads/{id}/image:
    put:
      summary: Upload the ad's image (PNG, JPEG or WebP, at most 2 MB) to object storage.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content:
          image/png: {schema: {type: string, format: binary}}
          image/jpeg: {schema: {type: string, format: binary}}
          image/webp: {schema: {type: string, format: binary}}
      responses:
        "200": {description: The ad., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "413": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
        "503": {$ref: "#/components/responses/Error"}
  /ads/{id}/sold-out:
    post:
      summary: Mark the ad sold out (估清).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Slug"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The ad., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    delete:
      summary: Mark the ad available again.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Slug"}]
      responses:
        "200": {description: The ad., content: {application/json: {schema: {$ref: "#/components/schemas/Ad"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /board/posts:
    get:
      summary: Board posts, newest first.
      x-roles: [admin, dispatcher]
      parameters:
        - {name: state, in: query, schema: {type: string, enum: [visible, held, hidden, removed, rejected]}}
        - {name: order_id, in: query, schema: {type: integer, minimum: 1}}
        - {$ref: "#/components/parameters/Page"}
        - {$ref: "#/components/parameters/PerPage"}
      responses:
        "200": {description: Posts., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
  /board/posts/{id}/replies:
    post:
      summary: Reply to a post; the worker pushes the reply to the customer in WeChat.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Reply"}}}
      responses:
        "201": {description: Replied.}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /board/settings:
    get:
      summary: Whether public board posts wait for review.
      x-roles: [admin, dispatcher]
      responses:
        "200": {description: The settings., content: {application/json: {schema: {$ref: "#/components/schemas/BoardSettings"}}}}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    put:
      summary: Hold public posts for review from now on, or publish them at once again (posts already held stay held).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/BoardSettings"}}}
      responses:
        "200": {description: The settings., content: {application/json: {schema: {$ref: "#/components/schemas/BoardSettings"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
    patch:
      summary: The same as PUT, as a JSON Merge Patch.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/merge-patch+json: {schema: {$ref: "#/components/schemas/BoardSettings"}}, application/json: {schema: {$ref: "#/components/schemas/BoardSettings"}}}
      responses:
        "200": {description: The settings., content: {application/json: {schema: {$ref: "#/components/schemas/BoardSettings"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "415": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /board/posts/{id}/approve:
    post:
      summary: Show a post that waits for review on the public board.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: The post., content: {application/json: {schema: {$ref: "#/components/schemas/Post"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /board/posts/{id}/reject:
    post:
      summary: Keep a post that waits for review off the board, with a reason (for staff; the customer is not told).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Moderation"}}}
      responses:
        "200": {description: The post., content: {application/json: {schema: {$ref: "#/components/schemas/Post"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /board/posts/{id}/hide:
    post:
      summary: Hide a post from the public board, with a reason.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Moderation"}}}
      responses:
        "200": {description: The post., content: {application/json: {schema: {$ref: "#/components/schemas/Post"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /board/posts/{id}/remove:
    post:
      summary: Remove a post, with a reason.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Moderation"}}}
      responses:
        "200": {description: The post., content: {application/json: {schema: {$ref: "#/components/schemas/Post"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /jobs/dead:
    get:
      summary: Dead jobs with why they died, newest first.
      x-roles: [admin, dispatcher]
      parameters: [{$ref: "#/components/parameters/Page"}, {$ref: "#/components/parameters/PerPage"}]
      responses:
        "200": {description: Jobs., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
  /jobs/{id}/retry:
    post:
      summary: Put a dead job back on the queue.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/Id"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      responses:
        "200": {description: Queued again.}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "409": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /customers:
    get:
      summary: The customer of an order (phone masked unless admin).
      x-roles: [admin, dispatcher]
      parameters:
        - {name: order_id, in: query, required: true, schema: {type: integer, minimum: 1}}
      responses:
        "200": {description: The customer., content: {application/json: {schema: {$ref: "#/components/schemas/Customer"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
  /customers/{openid}/messages:
    post:
      summary: Write to a customer in their chat (a push); a handoff to a person carries on, or ends with end_handoff.
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/OpenID"}, {$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/StaffMessage"}}}
      responses:
        "201": {description: Queued.}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /audit:
    get:
      summary: The audit log, newest first.
      x-roles: [admin]
      parameters:
        - {name: before_id, in: query, schema: {type: integer, minimum: 1}}
        - {$ref: "#/components/parameters/PerPage"}
      responses:
        "200": {description: Entries., content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
  /reports:
    get:
      summary: Daily reports recorded so far, newest first, optionally between two business days.
      x-roles: [admin, dispatcher]
      parameters:
        - {name: from, in: query, schema: {type: string, format: date}}
        - {name: to, in: query, schema: {type: string, format: date}}
        - {$ref: "#/components/parameters/PerPage"}
      responses:
        "200": {description: "Reports: date, built_at, summary.", content: {application/json: {schema: {$ref: "#/components/schemas/Items"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
    post:
      summary: Queue a build of one day's report now (queuing a date twice builds it once unless forced).
      x-roles: [admin, dispatcher]
      x-idempotent: true
      parameters: [{$ref: "#/components/parameters/IdempotencyKey"}]
      requestBody:
        required: false
        content: {application/json: {schema: {$ref: "#/components/schemas/ReportBuild"}}}
      responses:
        "202": {description: Queued.}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "422": {$ref: "#/components/responses/Error"}
  /reports/{date}:
    get:
      summary: One day's report with its summary and signed download URLs for the XLSX, CSVs and chart.
      x-roles: [admin, dispatcher]
      parameters:
        - {name: date, in: path, required: true, schema: {type: string, format: date}}
      responses:
        "200": {description: The report., content: {application/json: {schema: {$ref: "#/components/schemas/Report"}}}}
        "400": {$ref: "#/components/responses/Error"}
        "401": {$ref: "#/components/responses/Error"}
        "403": {$ref: "#/components/responses/Error"}
        "404": {$ref: "#/components/responses/Error"}
"""#
}
