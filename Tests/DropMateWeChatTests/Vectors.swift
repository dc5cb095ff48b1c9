/// WECHAT.md §7: wechatpy's published crypto vectors, verbatim.
enum Vectors {
    static let token = "123456"
    static let encodingAESKey = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
    static let appID = "wx49f0ab532d5d035a"
    static let timestamp = "1411525903"
    static let nonce = "461056294"

    static let decryptMsgSignature = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
    static let decryptEncrypt = """
        RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0=
        """

    static let encryptRandom = Array("1234567890123456".utf8)
    static let encryptReply = """
        <xml>
        <MsgType><![CDATA[text]]></MsgType>
        <Content><![CDATA[test]]></Content>
        <FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>
        <ToUserName><![CDATA[messense]]></ToUserName>
        <AgentID>1</AgentID>
        <CreateTime>1411525903</CreateTime>
        </xml>
        """
    static let encryptEncrypt = """
        9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3
        """
    static let encryptMsgSignature = "407518b7649e86ef23978113f92d27afa9296533"

    static let plainTimestamp = "1411443780"
    static let plainNonce = "437374425"
    static let plainSignature = "97f44b51ccbee5533bf61e753557d165ea0f4566"
}
