using System.Net;
using Belfry.Core.Net;

namespace Belfry.Core.Tests.Net;

public sealed class NetAddressTests
{
    [Theory]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("1.2.3.4", 0x01020304u)]
    [InlineData("192.0.2.1", 0xC0000201u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData(" 10.0.0.1 ", 0x0A000001u)]
    [InlineData("::ffff:192.0.2.1", 0xC0000201u)]
    public void TryParse_Ipv4_ReturnsMappedValue(string text, uint expected)
    {
        Assert.True(NetAddress.TryParse(text, out var a));
        Assert.True(a.IsV4);
        Assert.Equal(expected, a.V4);
        Assert.Equal(new UInt128(0, 0x0000_FFFF_0000_0000UL | expected), a.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.2")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.-4")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.04")]
    [InlineData("1..3.4")]
    [InlineData("1.2.3.4.")]
    [InlineData("a.b.c.d")]
    [InlineData("1.2.3.4/24")]
    [InlineData("fe80::1%eth0")]
    [InlineData("2001:db8::g")]
    [InlineData(":::")]
    [InlineData("example.be")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(NetAddress.TryParse(text, out _));
    }

    [Theory]
    [InlineData("::", "0000:0000:0000:0000:0000:0000:0000:0000")]
    [InlineData("::1", "0000:0000:0000:0000:0000:0000:0000:0001")]
    [InlineData("2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001")]
    [InlineData("2001:DB8:0:0:1::", "2001:0db8:0000:0000:0001:0000:0000:0000")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void TryParse_Ipv6_ReturnsBigEndianValue(string text, string full)
    {
        var expected = UInt128.Parse(full.Replace(":", string.Empty, StringComparison.Ordinal), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(NetAddress.TryParse(text, out var a));
        Assert.False(a.IsV4);
        Assert.Equal(expected, a.Value);
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("0.0.0.0")]
    [InlineData("2001:db8::1")]
    [InlineData("::")]
    [InlineData("::1")]
    public void ToString_RoundTrips(string text)
    {
        var a = NetAddress.Parse(text);

        Assert.Equal(text, a.ToString());
        Assert.Equal(IPAddress.Parse(text), a.ToIPAddress());
        Assert.Equal(a, NetAddress.FromIPAddress(IPAddress.Parse(text)));
    }

    [Fact]
    public void CompareTo_V4BelowV6GlobalSpace_OrdersByValue()
    {
        Assert.True(NetAddress.Parse("10.0.0.1") < NetAddress.Parse("10.0.0.2"));
        Assert.True(NetAddress.Parse("255.255.255.255") < NetAddress.Parse("2001:db8::"));
        Assert.True(NetAddress.Parse("::1") < NetAddress.Parse("0.0.0.0"));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("10.1.1.1", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.1.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("fe80::1", false)]
    [InlineData("::1", false)]
    public void IsGlobalUnicast_KnownRanges(string ip, bool expected)
    {
        Assert.Equal(expected, NetAddress.Parse(ip).IsGlobalUnicast);
    }
}
