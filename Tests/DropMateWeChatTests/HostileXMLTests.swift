import Foundation
import Testing

@testable import DropMateWeChat

/// XXE, entity expansion, size and shape attacks: each refused quickly with a specific error.
@Suite struct HostileXMLTests {
    static let externalEntity = """
        <?xml version="1.0"?>
        <!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <xml><ToUserName>&xxe;</ToUserName><FromUserName>o</FromUserName><CreateTime>1</CreateTime>\
        <MsgType>text</MsgType><Content>&xxe;</Content><MsgId>1</MsgId></xml>
        """

    static let billionLaughs: String = {
        var dtd = #"<!ENTITY lol0 "lol">"#
        for level in 1...9 {
            dtd += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        return "<?xml version=\"1.0\"?><!DOCTYPE xml [\(dtd)]><xml><Content>&lol9;</Content></xml>"
    }()

    /// One 20 KB entity referenced 8,000 times: 160 MB if expanded, yet under the 64 KB cap.
    static let quadraticBlowup: String = {
        let entity = String(repeating: "x", count: 20_000)
        let references = String(repeating: "&big;", count: 8_000)
        return
            "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY big \"\(entity)\">]><xml><Content>\(references)</Content></xml>"
    }()

    @Test(arguments: [externalEntity, billionLaughs, quadraticBlowup])
    func documentsWithDeclarationsAreRefusedBeforeParsing(body: String) {
        #expect(body.utf8.count <= WeChatXML.maxBodyBytes)
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(throws: WeChatXMLError.forbiddenDeclaration) { try WeChatXML.parseFields(body) }
        }
        #expect(elapsed < .milliseconds(100))
    }

    @Test(arguments: [externalEntity, billionLaughs, quadraticBlowup])
    func thePostParseCheckRefusesDeclarationsEvenWithoutTheByteScan(body: String) throws {
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            let result = Array(body.utf8).withUnsafeBytes { buffer in
                Result { () throws(WeChatXMLError) in try WeChatXML.parse(buffer, scanForDeclarations: false) }
            }
            #expect(throws: WeChatXMLError.self) { try result.get() }
            let error = try #require(result.failure)
            #expect(error == .forbiddenDeclaration || error == .malformed)
        }
        #expect(elapsed < .milliseconds(500))
    }

    @Test func noFileContentLeaksThroughAnExternalEntity() throws {
        let body = Array(Self.externalEntity.utf8)
        let opened = try? WeChatXML.parseFields(body)
        #expect(opened == nil)
        let unscanned = body.withUnsafeBytes { try? WeChatXML.parse($0, scanForDeclarations: false) }
        for value in unscanned?.fields.values.map({ $0 }) ?? [] { #expect(!value.contains("root:")) }
    }

    @Test func declarationsHiddenBehindAProcessingInstructionAreFound() {
        let body = """
            <?pi <![CDATA[ ?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml a="]]>"><C>&e;</C></xml>
            """
        #expect(throws: WeChatXMLError.forbiddenDeclaration) { try WeChatXML.parseFields(body) }
    }

    @Test func aTenMegabyteBodyIsTooLarge() {
        let body = [UInt8](repeating: UInt8(ascii: "a"), count: 10 * 1024 * 1024)
        #expect(throws: WeChatXMLError.tooLarge(bytes: body.count)) { try WeChatXML.parseFields(body) }
    }

    @Test func nestingPastTheCapIsTooDeep() {
        let depth = WeChatXML.maxDepth + 1
        let body =
            "<xml>" + String(repeating: "<a>", count: depth - 1) + String(repeating: "</a>", count: depth - 1)
            + "</xml>"
        #expect(throws: WeChatXMLError.tooDeep) { try WeChatXML.parseFields(body) }
        let allowed =
            "<xml>" + String(repeating: "<a>", count: depth - 2) + String(repeating: "</a>", count: depth - 2)
            + "</xml>"
        #expect(throws: Never.self) { try WeChatXML.parseFields(allowed) }
    }

    @Test func thousandsOfNestedElementsStopLibxml2ItselfAsMalformed() {
        // libxml2 refuses nesting past 256 levels (without XML_PARSE_HUGE) before we walk the tree.
        let body = "<xml>" + String(repeating: "<a>", count: 5_000) + String(repeating: "</a>", count: 5_000) + "</xml>"
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(body) }
    }

    @Test(arguments: [
        "<xml><ToUserName>abc", "<xml><Content><![CDATA[abc</Content></xml>", "<xml>", "not xml at all",
        "<xml></xml><xml></xml>", "<xml><a></b></xml>",
    ])
    func truncatedOrMalformedBodiesAreMalformed(body: String) {
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(body) }
    }

    @Test func nonUTF8BytesAreMalformed() {
        let body = Array("<xml><Content>".utf8) + [0xFF, 0xFE, 0xC3] + Array("</Content></xml>".utf8)
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(body) }
        let latin1 =
            Array("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><xml><C>".utf8) + [0xE9] + Array("</C></xml>".utf8)
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(latin1) }
        let utf16 = Array("<xml><C>x</C></xml>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields([0xFF, 0xFE] + utf16) }
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(utf16) }  // no byte-order mark either
        // GBK
        let indented = Array("\r\n  <xml><Content><![CDATA[".utf8) + [0xC4, 0xE3] + Array("]]></Content></xml>".utf8)
        #expect(throws: WeChatXMLError.malformed) { try WeChatXML.parseFields(indented) }
    }

    @Test func onlyABodyThatOpensWithAnElementSkipsTheForcedEncoding() throws {
        func opens(_ text: [UInt8]) -> Bool { text.withUnsafeBytes { WeChatXML.startsWithElement($0) } }
        #expect(opens(Array("<xml><A>1</A></xml>".utf8)))
        #expect(opens(Array(" \n\t<xml/>".utf8)))
        #expect(!opens(Array("<?xml version=\"1.0\"?><xml/>".utf8)))
        #expect(!opens(Array("<!DOCTYPE x><xml/>".utf8)))
        #expect(!opens([0xEF, 0xBB, 0xBF] + Array("<xml/>".utf8)))
        #expect(!opens(Array("<xml/>".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
        #expect(!opens(Array("<".utf8)) && !opens([]))
        #expect(try WeChatXML.parseFields("  <xml><Content><![CDATA[你好]]></Content></xml>").fields["Content"] == "你好")
    }

    @Test func anEmptyBodyIsEmpty() {
        #expect(throws: WeChatXMLError.empty) { try WeChatXML.parseFields([UInt8]()) }
        #expect(throws: WeChatXMLError.empty) { try WeChatXML.parseFields("") }
    }

    @Test func aRootOtherThanXmlIsRefused() {
        #expect(throws: WeChatXMLError.wrongRoot) { try WeChatXML.parseFields("<root><a>1</a></root>") }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
