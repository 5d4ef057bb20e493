using System.Buffers;
using System.Globalization;
using System.Text;
using Belfry.Core.Net;

namespace Belfry.Mitigation.GoBgp;

/// <summary>
/// Builds the argument lists of the gobgp CLI (gobgp 3.x, docs/cli-command-syntax.md and
/// docs/flowspec.md of GoBGP). The words go to the process one by one (no shell), so a value can
/// never become two words; <see cref="ToDisplayString"/> quotes them for logs and dry runs.
/// </summary>
public static class GoBgpCommand
{
    static readonly SearchValues<char> s_shellSafe =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-");

    /// <summary>The address family word of a unicast route.</summary>
    public static string UnicastFamily(bool v6) => v6 ? "ipv6" : "ipv4";

    /// <summary>The address family word of a Flowspec route.</summary>
    public static string FlowspecFamily(bool v6) => v6 ? "ipv6-flowspec" : "ipv4-flowspec";

    /// <summary><c>gobgp global rib -a ipv4 add 198.51.100.7/32 nexthop 192.0.2.1 community 65535:666,65535:65281</c>.</summary>
    public static IReadOnlyList<string> AddBlackhole(BgpOptions options, NetAddress target)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = HostPrefix(target);
        var communities = string.Join(',', options.BlackholeCommunities().Select(c => c.ToString()));
        return Global(options, "global", "rib", "-a", UnicastFamily(!target.IsV4), "add", prefix.ToString(),
            "nexthop", options.NextHopFor(target).ToString(), "community", communities);
    }

    /// <summary><c>gobgp global rib -a ipv4 del 198.51.100.7/32</c>.</summary>
    public static IReadOnlyList<string> DeleteUnicast(BgpOptions options, NetPrefix prefix) =>
        Global(options, "global", "rib", "-a", UnicastFamily(!prefix.IsV4), "del", prefix.ToString());

    /// <summary><c>gobgp global rib -a ipv4-flowspec add match destination ... then discard</c>.</summary>
    public static IReadOnlyList<string> AddFlowspec(BgpOptions options, FlowspecRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var words = new List<string> { "global", "rib", "-a", FlowspecFamily(rule.IsV6), "add", "match" };
        words.AddRange(rule.MatchText());
        words.Add("then");
        if (rule.Action.IsDiscard)
        {
            words.Add("discard");
        }
        else
        {
            words.Add("rate-limit");
            words.Add(rule.Action.BytesPerSecond.ToString("R", CultureInfo.InvariantCulture));
        }
        return Global(options, [.. words]);
    }

    /// <summary><c>gobgp global rib -a ipv4-flowspec del match destination ...</c>.</summary>
    public static IReadOnlyList<string> DeleteFlowspec(BgpOptions options, FlowspecRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var words = new List<string> { "global", "rib", "-a", FlowspecFamily(rule.IsV6), "del", "match" };
        words.AddRange(rule.MatchText());
        return Global(options, [.. words]);
    }

    /// <summary><c>gobgp -j global rib -a FAMILY</c>: the local RIB as JSON.</summary>
    public static IReadOnlyList<string> ListRib(BgpOptions options, string family) =>
        Global(options, "-j", "global", "rib", "-a", family);

    /// <summary><c>gobgp -j neighbor</c>: the peers and their session state as JSON.</summary>
    public static IReadOnlyList<string> ListNeighbors(BgpOptions options) => Global(options, "-j", "neighbor");

    static string[] Global(BgpOptions options, params string[] words)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.TryGetApiEndpoint(out var host, out var port))
        {
            throw new ArgumentException($"BgpOptions.Api '{options.Api}' is not host:port.", nameof(options));
        }
        return ["-u", host, "-p", port.ToString(CultureInfo.InvariantCulture), .. words];
    }

    internal static NetPrefix HostPrefix(NetAddress target) => new(target, target.IsV4 ? 32 : 128);

    /// <summary>The command as a POSIX shell would need it typed: words with other characters are single-quoted.</summary>
    public static string ToDisplayString(string program, IEnumerable<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var sb = new StringBuilder();
        AppendQuoted(sb, program);
        foreach (var a in arguments)
        {
            sb.Append(' ');
            AppendQuoted(sb, a);
        }
        return sb.ToString();
    }

    static void AppendQuoted(StringBuilder sb, string word)
    {
        if (word.Length > 0 && !word.AsSpan().ContainsAnyExcept(s_shellSafe))
        {
            sb.Append(word);
            return;
        }
        sb.Append('\'').Append(word.Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
    }
}
