/// The staff API's component schemas: the one part of the OpenAPI document not generated from the endpoints
/// (`APIDoc` names them). Kept as Swift data, not a resource file: the release image ships the binary alone, and the
/// compiler checks every literal.
extension OpenAPIDocument {
    static let schemas: DocNode = [
        "Error": errorSchema,
        "Login": loginSchema,
        "Refresh": refreshSchema,
        "Tokens": tokensSchema,
        "Staff": staffSchema,
        "NewStaff": newStaffSchema,
        "NewToken": newTokenSchema,
        "TokenIssued": tokenIssuedSchema,
        "PasswordChange": passwordChangeSchema,
        "PasswordReset": passwordResetSchema,
        "Subscriptions": subscriptionsSchema,
        "Notifications": notificationsSchema,
        "OrderLine": orderLineSchema,
        "Order": orderSchema,
        "Payment": paymentSchema,
        "Refund": refundSchema,
        "OrderPage": orderPageSchema,
        "OrderDetail": orderDetailSchema,
        "Dispatch": dispatchSchema,
        "Cancel": cancelSchema,
        "Courier": courierSchema,
        "CourierPatch": courierPatchSchema,
        "MerchantPatch": merchantPatchSchema,
        "AdPatch": adPatchSchema,
        "NewCourier": newCourierSchema,
        "CourierCreated": courierCreatedSchema,
        "CourierToken": courierTokenSchema,
        "BindingCode": bindingCodeSchema,
        "Position": positionSchema,
        "PositionAccepted": positionAcceptedSchema,
        "Merchant": merchantSchema,
        "Ad": adSchema,
        "Interval": intervalSchema,
        "Intervals": intervalsSchema,
        "ShopRules": shopRulesSchema,
        "Pause": pauseSchema,
        "Post": postSchema,
        "Reply": replySchema,
        "StaffMessage": staffMessageSchema,
        "BoardSettings": boardSettingsSchema,
        "Moderation": moderationSchema,
        "Job": jobSchema,
        "Customer": customerSchema,
        "AuditEntry": auditEntrySchema,
        "Items": itemsSchema,
        "ReportSummary": reportSummarySchema,
        "Report": reportSchema,
        "ReportBuild": reportBuildSchema,
    ]

    private static let errorSchema: DocNode = [
        "type": "object",
        "required": ["error"],
        "properties": [
            "error": [
                "type": "object",
                "required": ["code", "message"],
                "properties": ["code": ["type": "string"], "message": ["type": "string"]],
            ]
        ],
    ]

    private static let loginSchema: DocNode = [
        "type": "object",
        "required": ["username", "password"],
        "properties": [
            "username": ["type": "string", "maxLength": 200], "password": ["type": "string", "maxLength": 1024],
        ],
    ]

    private static let refreshSchema: DocNode = [
        "type": "object",
        "required": ["refresh_token"],
        "properties": ["refresh_token": ["type": "string", "maxLength": 200]],
    ]

    private static let tokensSchema: DocNode = [
        "type": "object",
        "required": ["token", "token_type", "expires_in", "refresh_token", "role"],
        "properties": [
            "token": ["type": "string"],
            "token_type": ["type": "string", "enum": ["Bearer"]],
            "expires_in": ["type": "integer"],
            "refresh_token": ["type": "string"],
            "role": ["type": "string", "enum": ["admin", "dispatcher", "courier"]],
        ],
    ]

    private static let staffSchema: DocNode = [
        "type": "object",
        "required": ["id", "username", "role", "wechat_bound", "notify_reports", "notify_orders", "active"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "username": ["type": "string"],
            "role": ["type": "string", "enum": ["admin", "dispatcher", "courier"]],
            "courier_id": ["type": "integer", "format": "int64"],
            "wechat_bound": ["type": "boolean"],
            "notify_reports": ["type": "boolean"],
            "notify_orders": [
                "type": "boolean",
                "description":
                    "A new confirmed (or, with payment required, paid) order is pushed to their bound WeChat.",
            ],
            "active": ["type": "boolean"],
        ],
    ]

    private static let newStaffSchema: DocNode = [
        "type": "object",
        "required": ["username", "password", "role"],
        "properties": [
            "username": ["type": "string", "pattern": "^[A-Za-z0-9._-]{3,40}$"],
            "password": ["type": "string", "minLength": 10, "maxLength": 1024],
            "role": ["type": "string", "enum": ["admin", "dispatcher", "courier"]],
            "courier_id": ["type": "integer", "format": "int64", "minimum": 1],
        ],
    ]

    private static let newTokenSchema: DocNode = [
        "type": "object",
        "required": ["name"],
        "properties": ["name": ["type": "string", "minLength": 1, "maxLength": 80]],
    ]

    private static let tokenIssuedSchema: DocNode = [
        "type": "object",
        "required": ["id", "token", "name"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "token": ["type": "string"],
            "name": ["type": "string"],
        ],
    ]

    private static let passwordChangeSchema: DocNode = [
        "type": "object",
        "required": ["current_password", "new_password"],
        "properties": [
            "current_password": ["type": "string", "maxLength": 1024],
            "new_password": ["type": "string", "minLength": 10, "maxLength": 1024],
        ],
    ]

    private static let passwordResetSchema: DocNode = [
        "type": "object",
        "required": ["new_password"],
        "properties": ["new_password": ["type": "string", "minLength": 10, "maxLength": 1024]],
    ]

    private static let subscriptionsSchema: DocNode = [
        "type": "object",
        "required": ["notify_orders", "notify_reports"],
        "properties": ["notify_orders": ["type": "boolean"], "notify_reports": ["type": "boolean"]],
    ]

    private static let notificationsSchema: DocNode = [
        "description":
            "Kept for existing setups: binds a raw OpenID (absent or null unbinds). New setups bind with a code (`/staff/{id}/binding-code`) and switch notices with `/staff/{id}/subscriptions`.",
        "type": "object",
        "required": ["notify_reports"],
        "properties": [
            "wechat_openid": ["type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"],
            "notify_reports": ["type": "boolean"],
        ],
    ]

    private static let orderLineSchema: DocNode = [
        "type": "object",
        "properties": [
            "item_id": ["type": "string"],
            "name": ["type": "string"],
            "quantity": ["type": "integer"],
            "unit_price_fen": ["type": "integer"],
            "note": [
                "type": "string",
                "description": "the customer's instruction for this line, as typed (不要香菜, no cilantro)",
            ],
        ],
    ]

    private static let orderSchema: DocNode = [
        "type": "object",
        "required": [
            "id", "status", "customer", "merchant_id", "lines", "items_total_fen", "delivery_fee_fen", "total_fen",
            "distance_unknown", "phone", "address",
        ],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "status": [
                "type": "string",
                "enum": ["awaiting_confirmation", "confirmed", "dispatched", "delivered", "cancelled"],
            ],
            "customer": ["type": "string"],
            "merchant_id": ["type": "string"],
            "courier_id": ["type": "integer", "format": "int64"],
            "courier_name": ["type": "string"],
            "lines": ["type": "array", "items": .ref("schemas", "OrderLine")],
            "note": ["type": "string", "description": "the customer's note for the whole order, as typed"],
            "items_total_fen": ["type": "integer", "description": "the lines' sum"],
            "delivery_fee_fen": [
                "type": "integer",
                "description": "the merchant's delivery fee for this order (0: free delivery)",
            ],
            "total_fen": ["type": "integer", "description": "items plus delivery fee: what the customer pays"],
            "distance_metres": [
                "type": "integer", "description": "straight-line metres from the shop to the WeChat location",
            ],
            "distance_unknown": [
                "type": "boolean",
                "description": "true for a typed address nobody could measure: staff should check it",
            ],
            "scheduled_for": [
                "type": "string",
                "format": "date-time",
                "description": "taken while the shop was closed: made when it opens then",
            ],
            "phone": [
                "type": "string",
                "description":
                    "whole for admins, and for the courier the order is dispatched to until it is delivered; masked (138****8000) for everyone else",
            ],
            "address": ["type": "string"],
            "latitude": ["type": "number"],
            "longitude": ["type": "number"],
            "created_at": ["type": "string", "format": "date-time"],
            "confirmed_at": ["type": "string", "format": "date-time"],
            "dispatched_at": ["type": "string", "format": "date-time"],
            "picked_up_at": ["type": "string", "format": "date-time"],
            "delivered_at": ["type": "string", "format": "date-time"],
            "cancelled_at": ["type": "string", "format": "date-time"],
            "cancel_reason": ["type": "string"],
            "promised_at": ["type": "string", "format": "date-time"],
            "latest_eta": ["type": "string", "format": "date-time"],
            "payment": .ref("schemas", "Payment"),
        ],
    ]

    private static let paymentSchema: DocNode = [
        "type": "object",
        "description": "WeChat Pay's state of the order (present only when payment is configured). Money in fen.",
        "required": ["status", "amount_fen", "refunds"],
        "properties": [
            "status": [
                "type": "string",
                "enum": ["not_required", "unpaid", "paid", "refunding", "refunded", "partially_refunded", "closed"],
            ],
            "method": [
                "type": "string",
                "enum": ["wechat_pay", "cash_on_delivery"],
                "description":
                    "How the customer pays: wechat_pay once paid online; cash_on_delivery (with status not_required) when the customer chose 货到付款 (DROPMATE_PAYMENT=optional); absent while undecided.",
            ],
            "amount_fen": ["type": "integer"],
            "paid_at": ["type": "string", "format": "date-time"],
            "transaction_id": ["type": "string"],
            "refunds": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["out_refund_no", "amount_fen", "reason", "status"],
                    "properties": [
                        "out_refund_no": ["type": "string"],
                        "amount_fen": ["type": "integer"],
                        "reason": ["type": "string"],
                        "status": ["type": "string", "enum": ["processing", "succeeded", "failed"]],
                        "requested_at": ["type": "string", "format": "date-time"],
                        "finished_at": ["type": "string", "format": "date-time"],
                    ],
                ],
            ],
        ],
    ]

    private static let refundSchema: DocNode = [
        "type": "object",
        "required": ["amount_fen", "reason"],
        "properties": [
            "amount_fen": ["type": "integer", "minimum": 1],
            "reason": ["type": "string", "minLength": 1, "maxLength": 80],
        ],
    ]

    private static let orderPageSchema: DocNode = [
        "type": "object",
        "required": ["items", "page", "per_page", "total"],
        "properties": [
            "items": ["type": "array", "items": .ref("schemas", "Order")],
            "page": ["type": "integer"],
            "per_page": ["type": "integer"],
            "total": ["type": "integer"],
        ],
    ]

    private static let orderDetailSchema: DocNode = [
        "type": "object",
        "required": ["order", "history", "posts"],
        "properties": [
            "order": .ref("schemas", "Order"),
            "history": [
                "type": "array",
                "items": [
                    "type": "object",
                    "properties": ["status": ["type": "string"], "at": ["type": "string", "format": "date-time"]],
                ],
            ],
            "posts": [
                "type": "array",
                "items": [
                    "type": "object",
                    "properties": [
                        "id": ["type": "integer"],
                        "body": ["type": "string"],
                        "created_at": ["type": "string", "format": "date-time"],
                    ],
                ],
            ],
        ],
    ]

    private static let dispatchSchema: DocNode = [
        "type": "object",
        "required": ["courier_id"],
        "properties": ["courier_id": ["type": "integer", "format": "int64", "minimum": 1]],
    ]

    private static let cancelSchema: DocNode = [
        "type": "object",
        "required": ["reason"],
        "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 200]],
    ]

    private static let courierSchema: DocNode = [
        "type": "object",
        "required": ["id", "name", "active", "wechat_bound"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "name": ["type": "string"],
            "phone": ["type": "string"],
            "active": ["type": "boolean"],
            "wechat_bound": ["type": "boolean"],
            "latitude": ["type": "number"],
            "longitude": ["type": "number"],
            "position_at": ["type": "string", "format": "date-time"],
        ],
    ]

    private static let courierPatchSchema: DocNode = [
        "type": "object",
        "description": "JSON Merge Patch of a courier; only `name` and `phone` change here (null clears the phone).",
        "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": 40],
            "phone": ["type": "string", "nullable": true, "pattern": "^1[3-9][0-9]{9}$"],
        ],
    ]

    private static let merchantPatchSchema: DocNode = [
        "type": "object",
        "description": "JSON Merge Patch of a merchant (its `id` is fixed); every member is optional.",
        "properties": [
            "name_zh": ["type": "string", "minLength": 1, "maxLength": 60],
            "name_en": ["type": "string", "minLength": 1, "maxLength": 60],
            "latitude": ["type": "number", "minimum": -90, "maximum": 90],
            "longitude": ["type": "number", "minimum": -180, "maximum": 180],
            "preparation_minutes": ["type": "integer", "minimum": 0, "maximum": 240],
            "active": ["type": "boolean"],
        ],
    ]

    private static let adPatchSchema: DocNode = [
        "type": "object",
        "description":
            "JSON Merge Patch of an ad: `{\"sold_out\": true}` marks it sold out and leaves everything else as it is; null\nclears an optional member (description, aliases, position, window). Its `id` and `image_url` are fixed here.\n",
        "properties": [
            "merchant_id": ["type": "string", "pattern": "^[a-z0-9-]{1,64}$"],
            "name_zh": ["type": "string", "minLength": 1, "maxLength": 40],
            "name_en": ["type": "string", "minLength": 1, "maxLength": 40],
            "description_zh": ["type": "string", "nullable": true, "maxLength": 300],
            "description_en": ["type": "string", "nullable": true, "maxLength": 300],
            "price_fen": ["type": "integer", "minimum": 1, "maximum": 10_000_000],
            "aliases": [
                "type": "array",
                "nullable": true,
                "maxItems": 20,
                "items": ["type": "string", "minLength": 1, "maxLength": 40],
            ],
            "featured": ["type": "boolean", "nullable": true],
            "position": ["type": "integer", "nullable": true, "minimum": 0, "maximum": 100000],
            "active": ["type": "boolean", "nullable": true],
            "starts_at": ["type": "string", "nullable": true, "format": "date-time"],
            "ends_at": ["type": "string", "nullable": true, "format": "date-time"],
            "sold_out": ["type": "boolean", "nullable": true, "description": "估清 (null: not sold out)"],
        ],
    ]

    private static let newCourierSchema: DocNode = [
        "type": "object",
        "required": ["name"],
        "properties": [
            "name": ["type": "string", "minLength": 1, "maxLength": 40],
            "phone": ["type": "string", "pattern": "^1[3-9][0-9]{9}$"],
        ],
    ]

    private static let courierCreatedSchema: DocNode = [
        "type": "object",
        "required": ["courier", "api_token", "binding_code"],
        "properties": [
            "courier": .ref("schemas", "Courier"),
            "api_token": ["type": "string"],
            "binding_code": ["type": "string"],
            "binding_code_expires_at": ["type": "string", "format": "date-time"],
        ],
    ]

    private static let courierTokenSchema: DocNode = [
        "type": "object",
        "required": ["courier_id", "api_token"],
        "properties": [
            "courier_id": ["type": "integer", "format": "int64"],
            "api_token": ["type": "string", "description": "shown only now"],
        ],
    ]

    private static let bindingCodeSchema: DocNode = [
        "type": "object",
        "required": ["code"],
        "properties": ["code": ["type": "string"], "expires_at": ["type": "string", "format": "date-time"]],
    ]

    private static let positionSchema: DocNode = [
        "type": "object",
        "required": ["latitude", "longitude"],
        "properties": [
            "latitude": ["type": "number", "minimum": -90, "maximum": 90],
            "longitude": ["type": "number", "minimum": -180, "maximum": 180],
        ],
    ]

    private static let positionAcceptedSchema: DocNode = [
        "type": "object",
        "required": ["courier_id", "deliveries"],
        "properties": ["courier_id": ["type": "integer"], "deliveries": ["type": "integer"]],
    ]

    private static let merchantSchema: DocNode = [
        "type": "object",
        "required": ["id", "name_zh", "name_en", "latitude", "longitude", "preparation_minutes"],
        "properties": [
            "id": ["type": "string", "pattern": "^[a-z0-9-]{1,64}$"],
            "name_zh": ["type": "string", "minLength": 1, "maxLength": 60],
            "name_en": ["type": "string", "minLength": 1, "maxLength": 60],
            "latitude": ["type": "number", "minimum": -90, "maximum": 90],
            "longitude": ["type": "number", "minimum": -180, "maximum": 180],
            "preparation_minutes": ["type": "integer", "minimum": 0, "maximum": 240],
            "active": ["type": "boolean"],
        ],
    ]

    private static let adSchema: DocNode = [
        "type": "object",
        "required": ["id", "merchant_id", "name_zh", "name_en", "price_fen"],
        "properties": [
            "id": ["type": "string", "pattern": "^[a-z0-9-]{1,64}$"],
            "merchant_id": ["type": "string", "pattern": "^[a-z0-9-]{1,64}$"],
            "name_zh": ["type": "string", "minLength": 1, "maxLength": 40],
            "name_en": ["type": "string", "minLength": 1, "maxLength": 40],
            "description_zh": ["type": "string", "maxLength": 300],
            "description_en": ["type": "string", "maxLength": 300],
            "price_fen": ["type": "integer", "minimum": 1, "maximum": 10_000_000],
            "aliases": [
                "type": "array", "maxItems": 20, "items": ["type": "string", "minLength": 1, "maxLength": 40],
            ],
            "featured": ["type": "boolean"],
            "position": ["type": "integer", "minimum": 0, "maximum": 100000],
            "active": ["type": "boolean"],
            "starts_at": ["type": "string", "format": "date-time"],
            "ends_at": ["type": "string", "format": "date-time"],
            "image_url": ["type": "string", "readOnly": true],
            "sold_out": [
                "type": "boolean",
                "readOnly": true,
                "description":
                    "估清: set with PATCH {\"sold_out\": true} or POST /ads/{id}/sold-out, cleared with DELETE",
            ],
        ],
    ]

    private static let intervalSchema: DocNode = [
        "type": "object",
        "required": ["opens", "closes"],
        "properties": [
            "opens": ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"],
            "closes": [
                "type": "string",
                "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
                "description": "at or before opens: past midnight into the next day",
            ],
        ],
    ]

    private static let intervalsSchema: DocNode = [
        "type": "array", "maxItems": 6, "items": .ref("schemas", "Interval"),
    ]

    private static let shopRulesSchema: DocNode = [
        "type": "object",
        "description":
            "A merchant's rules. On a write, an absent field means: no hours (open around the clock), no radius, no minimum,\nfree delivery, no orders for later; preparation_minutes keeps its value. Times are in the business time zone.\nIntervals may not overlap (one past midnight counts on the next day). The chat applies the rules in a later change.\n",
        "properties": [
            "hours": [
                "type": "object",
                "nullable": true,
                "description": "each day's opening intervals; a day left out is closed",
                "additionalProperties": false,
                "properties": [
                    "mon": .ref("schemas", "Intervals"),
                    "tue": .ref("schemas", "Intervals"),
                    "wed": .ref("schemas", "Intervals"),
                    "thu": .ref("schemas", "Intervals"),
                    "fri": .ref("schemas", "Intervals"),
                    "sat": .ref("schemas", "Intervals"),
                    "sun": .ref("schemas", "Intervals"),
                ],
            ],
            "delivery_radius_metres": [
                "type": "integer",
                "minimum": 1,
                "maximum": 100000,
                "description": "straight-line distance from the shop; absent: no limit",
            ],
            "minimum_order_fen": ["type": "integer", "minimum": 0, "maximum": 1_000_000],
            "delivery_fee": [
                "type": "object",
                "description":
                    "either flat_fen or bands (ascending; a band covers distances up to and including up_to_metres; only the last may omit it); {} is free",
                "properties": [
                    "flat_fen": ["type": "integer", "minimum": 0, "maximum": 100000],
                    "bands": [
                        "type": "array",
                        "minItems": 1,
                        "maxItems": 10,
                        "items": [
                            "type": "object",
                            "required": ["fee_fen"],
                            "properties": [
                                "up_to_metres": ["type": "integer", "minimum": 1, "maximum": 100000],
                                "fee_fen": ["type": "integer", "minimum": 0, "maximum": 100000],
                            ],
                        ],
                    ],
                ],
            ],
            "preparation_minutes": ["type": "integer", "minimum": 0, "maximum": 240],
            "accepts_orders_for_later": [
                "type": "boolean", "description": "while closed, take orders for the next opening",
            ],
            "paused": ["type": "boolean", "readOnly": true],
            "paused_until": ["type": "string", "format": "date-time", "readOnly": true],
            "state": [
                "type": "string",
                "enum": ["open", "closed", "paused"],
                "readOnly": true,
                "description": "whether the shop takes orders now",
            ],
            "state_until": [
                "type": "string",
                "format": "date-time",
                "readOnly": true,
                "description": "when the state next changes (closes, opens, or takes orders again)",
            ],
        ],
    ]

    private static let pauseSchema: DocNode = [
        "type": "object",
        "properties": [
            "until": [
                "type": "string",
                "description":
                    "ISO 8601 time or a date (its midnight in the business time zone), in the future; absent: until resumed",
            ]
        ],
    ]

    private static let postSchema: DocNode = [
        "type": "object",
        "required": ["id", "customer", "body", "state"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "customer": ["type": "string"],
            "order_id": ["type": "integer", "format": "int64"],
            "body": ["type": "string"],
            "created_at": ["type": "string", "format": "date-time"],
            "state": [
                "type": "string",
                "enum": ["visible", "held", "hidden", "removed", "rejected"],
                "description":
                    "held: waiting for review (the business holds public posts); rejected: refused at review",
            ],
            "reason": ["type": "string"],
        ],
    ]

    private static let replySchema: DocNode = [
        "type": "object",
        "required": ["body"],
        "properties": ["body": ["type": "string", "minLength": 1, "maxLength": 500]],
    ]

    private static let staffMessageSchema: DocNode = [
        "type": "object",
        "required": ["body"],
        "properties": [
            "body": ["type": "string", "minLength": 1, "maxLength": 500], "end_handoff": ["type": "boolean"],
        ],
    ]

    private static let boardSettingsSchema: DocNode = [
        "type": "object",
        "required": ["hold_posts"],
        "properties": [
            "hold_posts": [
                "type": "boolean",
                "description": "public posts wait for staff to approve them before they show (the customer is told so)",
            ]
        ],
    ]

    private static let moderationSchema: DocNode = [
        "type": "object",
        "required": ["reason"],
        "properties": ["reason": ["type": "string", "minLength": 1, "maxLength": 200]],
    ]

    private static let jobSchema: DocNode = [
        "type": "object",
        "required": ["id", "kind", "attempts", "max_attempts"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "kind": ["type": "string"],
            "attempts": ["type": "integer"],
            "max_attempts": ["type": "integer"],
            "last_error": ["type": "string"],
        ],
    ]

    private static let customerSchema: DocNode = [
        "type": "object",
        "required": ["openid", "phone", "orders"],
        "properties": [
            "openid": ["type": "string"],
            "phone": ["type": "string"],
            "orders": ["type": "array", "items": ["type": "integer", "format": "int64"]],
        ],
    ]

    private static let auditEntrySchema: DocNode = [
        "type": "object",
        "required": ["id", "actor", "role", "action", "target"],
        "properties": [
            "id": ["type": "integer", "format": "int64"],
            "actor": ["type": "string"],
            "role": ["type": "string"],
            "action": ["type": "string"],
            "target": ["type": "string"],
            "before": ["type": "string"],
            "after": ["type": "string"],
            "at": ["type": "string", "format": "date-time"],
        ],
    ]

    private static let itemsSchema: DocNode = [
        "type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": [:]]],
    ]

    private static let reportSummarySchema: DocNode = [
        "type": "object",
        "description":
            "A day's figures. Money in integer fen; durations in seconds; rates from 0 to 1 (null when nothing was measured).",
        "properties": [
            "placed": ["type": "integer"],
            "confirmed": ["type": "integer"],
            "delivered": ["type": "integer"],
            "cancelled": ["type": "integer"],
            "cancelled_by_reason": [
                "type": "array",
                "items": [
                    "type": "object",
                    "properties": ["reason": ["type": "string"], "count": ["type": "integer"]],
                ],
            ],
            "revenue_fen": ["type": "integer"],
            "average_delivery_seconds": ["type": "number", "nullable": true],
            "p90_delivery_seconds": ["type": "integer", "nullable": true],
            "on_time_rate": ["type": "number", "nullable": true],
            "eta_mean_absolute_error_minutes": ["type": "number", "nullable": true],
            "pushes_sent": ["type": "integer"],
            "pushes_failed": ["type": "integer"],
            "sms_sent": ["type": "integer"],
            "board_posts": ["type": "integer"],
            "dead_jobs": ["type": "integer"],
            "top_items": [
                "type": "array",
                "items": [
                    "type": "object",
                    "properties": [
                        "name": ["type": "string"],
                        "quantity": ["type": "integer"],
                        "revenue_fen": ["type": "integer"],
                    ],
                ],
            ],
        ],
    ]

    private static let reportSchema: DocNode = [
        "type": "object",
        "required": ["date", "summary", "files", "page_url"],
        "properties": [
            "date": ["type": "string", "format": "date"],
            "built_at": ["type": "string", "format": "date-time"],
            "summary": .ref("schemas", "ReportSummary"),
            "files": [
                "type": "object",
                "description": "Signed download URLs, valid until links_expire_at.",
                "properties": [
                    "xlsx": ["type": "string", "format": "uri"],
                    "chart": ["type": "string", "format": "uri"],
                    "csv": ["type": "object", "additionalProperties": ["type": "string", "format": "uri"]],
                ],
            ],
            "page_url": [
                "type": "string",
                "format": "uri",
                "description": "The H5 report page (a signed link, as in the WeChat notice).",
            ],
            "links_expire_at": ["type": "string", "format": "date-time"],
        ],
    ]

    private static let reportBuildSchema: DocNode = [
        "type": "object",
        "properties": [
            "date": [
                "type": "string",
                "format": "date",
                "description": "The business day (default: yesterday in DROPMATE_TIMEZONE).",
            ],
            "force": ["type": "boolean", "description": "Build again even if the date was built before."],
        ],
    ]
}
