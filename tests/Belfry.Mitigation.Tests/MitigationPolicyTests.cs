using Belfry.Core.Net;

namespace Belfry.Mitigation.Tests;

public sealed class MitigationPolicyTests
{
    static readonly MitigationPolicy s_policy = new()
    {
        NeverBlackhole = [NetPrefix.Parse("203.0.113.0/24"), NetPrefix.Parse("2001:db8:53::/48")],
        MaxBlackholes = 2,
        MaxFlowspecRules = 3,
    };

    [Theory]
    [InlineData("203.0.113.53/32")]
    [InlineData("203.0.113.0/32")]
    [InlineData("2001:db8:53::1/128")]
    public void TryAllowBlackhole_WhitelistedTarget_RefusedNamingThePrefix(string target)
    {
        Assert.False(s_policy.TryAllowBlackhole(NetPrefix.Parse(target), 0, out var reason));
        Assert.Contains("whitelisted", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.114.1/32")]
    [InlineData("198.51.100.7/32")]
    [InlineData("2001:db8:54::1/128")]
    public void TryAllowBlackhole_OtherHost_Allowed(string target)
    {
        Assert.True(s_policy.TryAllowBlackhole(NetPrefix.Parse(target), 1, out var reason));
        Assert.Equal("", reason);
    }

    [Fact]
    public void TryAllowBlackhole_AtMaximum_RefusedWithCounts()
    {
        Assert.False(s_policy.TryAllowBlackhole(NetPrefix.Parse("198.51.100.7/32"), 2, out var reason));
        Assert.Contains("maximum is 2", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.51.100.0/24")]
    [InlineData("2001:db8::/64")]
    public void TryAllowBlackhole_NotAHostRoute_Refused(string target)
    {
        Assert.False(s_policy.TryAllowBlackhole(NetPrefix.Parse(target), 0, out var reason));
        Assert.Contains("host route", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryAllowFlowspec_AtMaximum_Refused()
    {
        Assert.True(s_policy.TryAllowFlowspec(2, out _));
        Assert.False(s_policy.TryAllowFlowspec(3, out var reason));
        Assert.Contains("maximum is 3", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void BlackholesHostGroup_NamedStarAndNone_AsConfigured()
    {
        var named = new MitigationPolicy { BlackholeHostGroups = new HashSet<string> { "hosting" } };
        Assert.True(named.BlackholesHostGroup("hosting"));
        Assert.False(named.BlackholesHostGroup("government"));
        Assert.False(named.BlackholesHostGroup(null));
        var all = new MitigationPolicy { BlackholeHostGroups = new HashSet<string> { MitigationPolicy.AllHostGroups } };
        Assert.True(all.BlackholesHostGroup(null));
        Assert.False(new MitigationPolicy().BlackholesHostGroup("hosting"));
    }

    [Fact]
    public void ActionFor_VectorOverride_UsedForAnySpelling()
    {
        var policy = new MitigationPolicy
        {
            VectorActions = new Dictionary<string, FlowspecAction> { ["syn"] = FlowspecAction.RateLimit(12_500) },
        };
        Assert.Equal(12_500f, policy.ActionFor("SYN_flood").BytesPerSecond);
        Assert.True(policy.ActionFor("dns").IsDiscard);
    }
}
