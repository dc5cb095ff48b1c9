import Foundation

/// A callback from WeChat Pay (payment or refund): the envelope is plain JSON, the `resource` is encrypted.
public struct PayNotification: Sendable, Codable, Equatable {
    public var id: String
    public var createTime: String?
    /// `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`.
    public var eventType: String
    public var resourceType: String?
    public var summary: String?
    public var resource: Resource

    public struct Resource: Sendable, Codable, Equatable {
        public var originalType: String?
        public var algorithm: String
        public var ciphertext: String
        public var associatedData: String?
        public var nonce: String

        public init(
            originalType: String?, algorithm: String = "AEAD_AES_256_GCM", ciphertext: String, associatedData: String?,
            nonce: String
        ) {
            self.originalType = originalType
            self.algorithm = algorithm
            self.ciphertext = ciphertext
            self.associatedData = associatedData
            self.nonce = nonce
        }

        enum CodingKeys: String, CodingKey {
            case originalType = "original_type"
            case algorithm, ciphertext
            case associatedData = "associated_data"
            case nonce
        }
    }

    public init(
        id: String, createTime: String?, eventType: String, resourceType: String? = "encrypt-resource",
        summary: String?, resource: Resource
    ) {
        self.id = id
        self.createTime = createTime
        self.eventType = eventType
        self.resourceType = resourceType
        self.summary = summary
        self.resource = resource
    }

    enum CodingKeys: String, CodingKey {
        case id
        case createTime = "create_time"
        case eventType = "event_type"
        case resourceType = "resource_type"
        case summary, resource
    }
}

/// A payment as WeChat Pay reports it (the decrypted `TRANSACTION.SUCCESS` resource and the query answer).
public struct PayTransaction: Sendable, Codable, Equatable {
    public var appid: String?
    public var mchid: String?
    public var outTradeNo: String
    public var transactionID: String?
    public var tradeType: String?
    /// `SUCCESS`, `REFUND`, `NOTPAY`, `CLOSED`, `REVOKED`, `USERPAYING`, `PAYERROR`.
    public var tradeState: String
    public var tradeStateDesc: String?
    /// RFC 3339 with offset, e.g. `2026-12-05T12:00:00+08:00`.
    public var successTime: String?
    public var payer: Payer?
    public var amount: Amount?

    public struct Payer: Sendable, Codable, Equatable {
        public var openid: String?
        public init(openid: String?) { self.openid = openid }
    }

    /// Amounts in fen.
    public struct Amount: Sendable, Codable, Equatable {
        public var total: Int?
        public var payerTotal: Int?
        public var currency: String?
        public var payerCurrency: String?

        public init(total: Int?, payerTotal: Int? = nil, currency: String? = "CNY", payerCurrency: String? = "CNY") {
            self.total = total
            self.payerTotal = payerTotal
            self.currency = currency
            self.payerCurrency = payerCurrency
        }

        enum CodingKeys: String, CodingKey {
            case total
            case payerTotal = "payer_total"
            case currency
            case payerCurrency = "payer_currency"
        }
    }

    public init(
        appid: String?, mchid: String?, outTradeNo: String, transactionID: String?, tradeType: String? = "JSAPI",
        tradeState: String, tradeStateDesc: String? = nil, successTime: String?, payer: Payer?, amount: Amount?
    ) {
        self.appid = appid
        self.mchid = mchid
        self.outTradeNo = outTradeNo
        self.transactionID = transactionID
        self.tradeType = tradeType
        self.tradeState = tradeState
        self.tradeStateDesc = tradeStateDesc
        self.successTime = successTime
        self.payer = payer
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case appid, mchid
        case outTradeNo = "out_trade_no"
        case transactionID = "transaction_id"
        case tradeType = "trade_type"
        case
            tradeState = "trade_state"
        case tradeStateDesc = "trade_state_desc"
        case successTime = "success_time"
        case payer, amount
    }
}

/// A refund as WeChat Pay reports it: the answer to a refund request or query (`status`), or the decrypted refund
/// callback (`refund_status`).
public struct PayRefund: Sendable, Codable, Equatable {
    public var mchid: String?
    public var outTradeNo: String?
    public var transactionID: String?
    public var outRefundNo: String
    public var refundID: String?
    /// `SUCCESS`, `CLOSED`, `PROCESSING`, `ABNORMAL`.
    public var status: String?
    public var refundStatus: String?
    public var successTime: String?
    public var amount: Amount?

    /// What the refund is in, whichever field carried it.
    public var state: String? { refundStatus ?? status }

    public struct Amount: Sendable, Codable, Equatable {
        public var total: Int?
        public var refund: Int?
        public var payerTotal: Int?
        public var payerRefund: Int?
        public var currency: String?

        public init(
            total: Int?, refund: Int?, payerTotal: Int? = nil, payerRefund: Int? = nil, currency: String? = "CNY"
        ) {
            self.total = total
            self.refund = refund
            self.payerTotal = payerTotal
            self.payerRefund = payerRefund
            self.currency = currency
        }

        enum CodingKeys: String, CodingKey {
            case total, refund
            case payerTotal = "payer_total"
            case payerRefund = "payer_refund"
            case currency
        }
    }

    public init(
        mchid: String?, outTradeNo: String?, transactionID: String?, outRefundNo: String, refundID: String?,
        status: String?, refundStatus: String?, successTime: String?, amount: Amount?
    ) {
        self.mchid = mchid
        self.outTradeNo = outTradeNo
        self.transactionID = transactionID
        self.outRefundNo = outRefundNo
        self.refundID = refundID
        self.status = status
        self.refundStatus = refundStatus
        self.successTime = successTime
        self.amount = amount
    }

    enum CodingKeys: String, CodingKey {
        case mchid
        case outTradeNo = "out_trade_no"
        case transactionID = "transaction_id"
        case outRefundNo = "out_refund_no"
        case
            refundID = "refund_id"
        case status
        case refundStatus = "refund_status"
        case successTime = "success_time"
        case amount
    }
}

/// `POST /v3/pay/transactions/jsapi`.
public struct JSAPIOrderRequest: Sendable, Codable, Equatable {
    public var appid: String
    public var mchid: String
    public var description: String
    public var outTradeNo: String
    /// RFC 3339; WeChat Pay refuses payment after it.
    public var timeExpire: String?
    public var notifyURL: String
    public var amount: Amount
    public var payer: Payer

    public struct Amount: Sendable, Codable, Equatable {
        public var total: Int
        public var currency: String
        public init(total: Int, currency: String = "CNY") {
            self.total = total
            self.currency = currency
        }
    }

    public struct Payer: Sendable, Codable, Equatable {
        public var openid: String
        public init(openid: String) { self.openid = openid }
    }

    public init(
        appid: String, mchid: String, description: String, outTradeNo: String, timeExpire: String?, notifyURL: String,
        totalFen: Int, openID: String
    ) {
        self.appid = appid
        self.mchid = mchid
        self.description = description
        self.outTradeNo = outTradeNo
        self.timeExpire = timeExpire
        self.notifyURL = notifyURL
        self.amount = Amount(total: totalFen)
        self.payer = Payer(openid: openID)
    }

    enum CodingKeys: String, CodingKey {
        case appid, mchid, description
        case outTradeNo = "out_trade_no"
        case timeExpire = "time_expire"
        case notifyURL = "notify_url"
        case amount, payer
    }
}

/// `POST /v3/refund/domestic/refunds`.
public struct RefundRequest: Sendable, Codable, Equatable {
    public var outTradeNo: String
    public var outRefundNo: String
    public var reason: String?
    public var notifyURL: String?
    public var amount: Amount

    public struct Amount: Sendable, Codable, Equatable {
        public var refund: Int
        public var total: Int
        public var currency: String
    }

    public init(
        outTradeNo: String, outRefundNo: String, reason: String?, notifyURL: String?, refundFen: Int, totalFen: Int
    ) {
        self.outTradeNo = outTradeNo
        self.outRefundNo = outRefundNo
        self.reason = reason
        self.notifyURL = notifyURL
        self.amount = Amount(refund: refundFen, total: totalFen, currency: "CNY")
    }

    enum CodingKeys: String, CodingKey {
        case outTradeNo = "out_trade_no"
        case outRefundNo = "out_refund_no"
        case reason
        case notifyURL = "notify_url"
        case amount
    }
}

/// The answer to `GET /v3/bill/tradebill`: where to download the day's bill and its hash.
public struct TradeBillLink: Sendable, Codable, Equatable {
    public var hashType: String
    public var hashValue: String
    public var downloadURL: String

    public init(hashType: String, hashValue: String, downloadURL: String) {
        self.hashType = hashType
        self.hashValue = hashValue
        self.downloadURL = downloadURL
    }

    enum CodingKeys: String, CodingKey {
        case hashType = "hash_type"
        case hashValue = "hash_value"
        case downloadURL = "download_url"
    }
}

/// An error answer: `{"code": "ORDER_NOT_EXIST", "message": "…"}`.
public struct PayErrorBody: Sendable, Codable, Equatable {
    public var code: String
    public var message: String
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}
