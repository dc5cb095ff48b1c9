import Testing

@testable import DropMateReports

@Suite struct RedactionTests {
    @Test func aMobileNumberKeepsItsFirstThreeAndLastFourDigits() {
        #expect(maskPhone("13812348000") == "138****8000")
        #expect(maskPhone("+86 138-1234-8000") == "138****8000")
        #expect(maskPhone("12345") == "****")
        #expect(maskPhone("") == "")
    }

    @Test func aChineseAddressIsCutAfterItsDistrictOrCounty() {
        #expect(districtLevel("上海市浦东新区张江路88号3楼") == "上海市浦东新区")
        #expect(districtLevel("北京市市辖区东城区王府井大街1号") == "北京市市辖区")
        #expect(districtLevel("云南省大理白族自治州宾川县金牛镇") == "云南省大理白族自治州宾川县")
        #expect(districtLevel("苏州市人民路100号") == "苏州市")
        #expect(districtLevel("人民路100号") == "")
    }

    @Test func anEnglishAddressKeepsItsFirstTwoParts() {
        #expect(districtLevel("Haidian District, Beijing, 18 Zhongguancun St") == "Haidian District, Beijing")
        #expect(districtLevel("  ") == "")
    }
}
