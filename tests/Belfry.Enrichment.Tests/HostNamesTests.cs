namespace Belfry.Enrichment.Tests;

public sealed class HostNamesTests
{
    [Theory]
    [InlineData("http://example.be", "example.be")]
    [InlineData("https://a.example.be/x/y?q#f", "a.example.be")]
    [InlineData("http://u:p@host.be:81/", "host.be")]
    [InlineData("ftp://[2001:db8::1]:21/file", "2001:db8::1")]
    [InlineData("host.be/path", "host.be")]
    [InlineData("http://host.be./", "host.be")]
    public void TryGetUrlHost_Url_ReturnsHost(string url, string expected)
    {
        Assert.True(HostNames.TryGetUrlHost(url, out var host));
        Assert.Equal(expected, host.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://")]
    [InlineData("http:///path")]
    [InlineData("http://[]/")]
    public void TryGetUrlHost_NoHost_ReturnsFalse(string url)
    {
        Assert.False(HostNames.TryGetUrlHost(url, out _));
    }
}
