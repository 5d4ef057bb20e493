using Belfry.Core.Net;

namespace Belfry.Core.Tests.Net;

public sealed class NetPrefixTests
{
    [Theory]
    [InlineData("192.0.2.0/24", "192.0.2.0", "192.0.2.255", 24)]
    [InlineData("192.0.2.77/24", "192.0.2.0", "192.0.2.255", 24)]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255", 0)]
    [InlineData("10.0.0.1/32", "10.0.0.1", "10.0.0.1", 32)]
    [InlineData("10.0.0.1", "10.0.0.1", "10.0.0.1", 32)]
    [InlineData("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 32)]
    [InlineData("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0)]
    [InlineData("2001:db8::1", "2001:db8::1", "2001:db8::1", 128)]
    [InlineData("::ffff:192.0.2.0/120", "192.0.2.0", "192.0.2.255", 24)]
    public void TryParse_Valid_ComputesRange(string text, string network, string last, int length)
    {
        Assert.True(NetPrefix.TryParse(text, out var p));
        Assert.Equal(NetAddress.Parse(network), p.Network);
        Assert.Equal(NetAddress.Parse(last), p.Last);
        Assert.Equal(length, p.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/24")]
    [InlineData("192.0.2.0/")]
    [InlineData("192.0.2.0/33")]
    [InlineData("192.0.2.0/-1")]
    [InlineData("192.0.2.0/+8")]
    [InlineData("192.0.2.0/24/1")]
    [InlineData("2001:db8::/129")]
    [InlineData("::ffff:192.0.2.0/95")]
    [InlineData("example.be/24")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.False(NetPrefix.TryParse(text, out _));
    }

    [Theory]
    [InlineData("192.0.2.0/24")]
    [InlineData("0.0.0.0/0")]
    [InlineData("2001:db8::/32")]
    [InlineData("::/0")]
    public void ToString_RoundTrips(string text)
    {
        Assert.Equal(text, NetPrefix.Parse(text).ToString());
    }

    [Fact]
    public void Contains_Boundaries()
    {
        var p = NetPrefix.Parse("192.0.2.0/24");

        Assert.True(p.Contains(NetAddress.Parse("192.0.2.0")));
        Assert.True(p.Contains(NetAddress.Parse("192.0.2.255")));
        Assert.False(p.Contains(NetAddress.Parse("192.0.1.255")));
        Assert.False(p.Contains(NetAddress.Parse("192.0.3.0")));
        Assert.False(p.Contains(NetAddress.Parse("2001:db8::")));
    }

    [Fact]
    public void Contains_V4DefaultRoute_DoesNotContainV6()
    {
        var p = NetPrefix.Parse("0.0.0.0/0");

        Assert.True(p.Contains(NetAddress.Parse("255.255.255.255")));
        Assert.False(p.Contains(NetAddress.Parse("::1")));
        Assert.False(p.Contains(NetAddress.Parse("2001:db8::1")));
    }

    [Theory]
    [InlineData("192.0.2.0", "192.0.2.255", "192.0.2.0/24")]
    [InlineData("10.0.0.0", "10.0.0.0", "10.0.0.0/32")]
    [InlineData("0.0.0.0", "255.255.255.255", "0.0.0.0/0")]
    [InlineData("2001:db8::", "2001:db8::ffff", "2001:db8::/112")]
    [InlineData("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0")]
    public void TryFromRange_CidrRange_ReturnsPrefix(string first, string last, string expected)
    {
        Assert.True(NetPrefix.TryFromRange(NetAddress.Parse(first), NetAddress.Parse(last), out var p));
        Assert.Equal(NetPrefix.Parse(expected), p);
    }

    [Theory]
    [InlineData("192.0.2.0", "192.0.2.254")]
    [InlineData("192.0.2.1", "192.0.2.2")]
    [InlineData("192.0.2.9", "192.0.2.1")]
    [InlineData("192.0.2.0", "2001:db8::")]
    public void TryFromRange_NotCidr_ReturnsFalse(string first, string last)
    {
        Assert.False(NetPrefix.TryFromRange(NetAddress.Parse(first), NetAddress.Parse(last), out _));
    }

    [Fact]
    public void Constructor_LengthOutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetPrefix(NetAddress.Parse("10.0.0.0"), 33));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetPrefix(NetAddress.Parse("::"), 129));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NetPrefix(NetAddress.Parse("::"), -1));
    }
}
