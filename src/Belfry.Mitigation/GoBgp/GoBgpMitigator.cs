using Belfry.Core.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Belfry.Mitigation.GoBgp;

/// <summary>
/// Announces mitigations through a local gobgpd, with its gobgp CLI. Every change is checked by
/// reading gobgpd's global RIB back (JSON), and <see cref="ListActiveAsync"/> reports what the RIB
/// holds, so the list survives a restart of Belfry. Operations are serialised.
/// </summary>
public sealed class GoBgpMitigator : IMitigator, IDisposable
{
    static readonly string[] s_families = ["ipv4", "ipv6", "ipv4-flowspec", "ipv6-flowspec"];

    readonly BgpOptions _options;
    readonly IGoBgpRunner _runner;
    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<MitigationId, Mitigation> _announced = [];

    public GoBgpMitigator(BgpOptions options, ILogger<GoBgpMitigator>? logger = null, TimeProvider? time = null)
        : this(options, new GoBgpProcessRunner(options), logger, time)
    {
    }

    public GoBgpMitigator(BgpOptions options, IGoBgpRunner runner, ILogger<GoBgpMitigator>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(runner);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid BGP options: " + string.Join(" ", errors), nameof(options));
        }
        _options = options;
        _runner = runner;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    public async Task<Mitigation> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var prefix = GoBgpCommand.HostPrefix(target);
        var mitigation = Mitigation.Blackhole(target, reason, _options, _time.GetUtcNow());
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunCheckedAsync(GoBgpCommand.AddBlackhole(_options, target), cancellationToken).ConfigureAwait(false);
            var routes = await ReadRibAsync(GoBgpCommand.UnicastFamily(!target.IsV4), cancellationToken).ConfigureAwait(false);
            var route = routes.FirstOrDefault(r => r.Prefix == prefix);
            if (route is null || !route.IsBlackhole)
            {
                throw new MitigationException($"gobgpd accepted the blackhole for {prefix} but its RIB does not show it with community {BgpCommunity.Blackhole}.");
            }
            _announced[mitigation.Id] = mitigation;
            Log.Announced(_logger, mitigation.Id.Value, reason);
            return mitigation;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<Mitigation> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(reason);
        if (!rule.TryValidate(out var error))
        {
            throw new MitigationException($"Flowspec rule {rule} is invalid: {error}");
        }
        var mitigation = Mitigation.Flowspec(rule, reason, _time.GetUtcNow());
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunCheckedAsync(GoBgpCommand.AddFlowspec(_options, rule), cancellationToken).ConfigureAwait(false);
            var routes = await ReadRibAsync(GoBgpCommand.FlowspecFamily(rule.IsV6), cancellationToken).ConfigureAwait(false);
            var route = routes.FirstOrDefault(r => r.Rule?.Id == rule.Id);
            if (route?.Rule is null || route.Rule.Action != rule.Action)
            {
                throw new MitigationException($"gobgpd accepted Flowspec rule {rule} but its RIB does not show it with that action.");
            }
            _announced[mitigation.Id] = mitigation;
            Log.Announced(_logger, mitigation.Id.Value, reason);
            return mitigation;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var active = await ListCoreAsync(cancellationToken).ConfigureAwait(false);
            var mitigation = active.FirstOrDefault(m => m.Id == id);
            _announced.Remove(id);
            if (mitigation is null)
            {
                return false;
            }
            string family;
            if (mitigation.Kind == MitigationKind.Blackhole)
            {
                family = GoBgpCommand.UnicastFamily(!mitigation.Target.IsV4);
                await RunCheckedAsync(GoBgpCommand.DeleteUnicast(_options, mitigation.Target), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var rule = mitigation.Rule ?? throw new MitigationException($"{id} uses Flowspec components Belfry does not model; withdraw it with gobgp.");
                family = GoBgpCommand.FlowspecFamily(rule.IsV6);
                await RunCheckedAsync(GoBgpCommand.DeleteFlowspec(_options, rule), cancellationToken).ConfigureAwait(false);
            }
            var after = await ReadRibAsync(family, cancellationToken).ConfigureAwait(false);
            if (after.Any(r => IdOf(r) == id))
            {
                throw new MitigationException($"gobgpd accepted the withdrawal of {id} but its RIB still shows it.");
            }
            Log.Withdrawn(_logger, id.Value);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ListCoreAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>gobgpd's BGP peers and their session state.</summary>
    public async Task<IReadOnlyList<GoBgpNeighbor>> ListNeighborsAsync(CancellationToken cancellationToken = default)
    {
        var result = await RunCheckedAsync(GoBgpCommand.ListNeighbors(_options), cancellationToken).ConfigureAwait(false);
        return GoBgpRibParser.ParseNeighbors(result.StandardOutput);
    }

    /// <summary>The blackholes and Flowspec rules in gobgpd's global RIB, with the reasons of those this process announced.</summary>
    async Task<IReadOnlyList<Mitigation>> ListCoreAsync(CancellationToken cancellationToken)
    {
        var list = new List<Mitigation>();
        foreach (var family in s_families)
        {
            foreach (var route in await ReadRibAsync(family, cancellationToken).ConfigureAwait(false))
            {
                if (IdOf(route) is not { } id)
                {
                    continue;
                }
                if (_announced.TryGetValue(id, out var known))
                {
                    list.Add(route.Rule is null ? known : known with { Rule = route.Rule });
                    continue;
                }
                list.Add(new Mitigation
                {
                    Id = id,
                    Kind = route.IsFlowspec ? MitigationKind.Flowspec : MitigationKind.Blackhole,
                    Target = route.Prefix!.Value,
                    Rule = route.Rule,
                    NextHop = route.NextHop,
                    Communities = route.Communities,
                });
            }
        }
        // Routes announced by this process that the RIB lost (a gobgpd restart) are no longer active.
        foreach (var lost in _announced.Keys.Where(k => !list.Exists(m => m.Id == k)).ToList())
        {
            Log.Lost(_logger, lost.Value);
            _announced.Remove(lost);
        }
        return list;
    }

    // Blackholes are the host routes with the BLACKHOLE community; other unicast routes are not Belfry's.
    static MitigationId? IdOf(GoBgpRoute route)
    {
        if (route.IsFlowspec)
        {
            if (route.Rule is { } rule)
            {
                return rule.Id;
            }
            return route.Prefix is null ? null : new MitigationId("flowspec " + (route.Prefix.Value.IsV4 ? "ipv4 " : "ipv6 ") + route.Key);
        }
        if (route.IsBlackhole && route.Prefix is { } p && p.Length == (p.IsV4 ? 32 : 128))
        {
            return MitigationId.ForBlackhole(p);
        }
        return null;
    }

    async Task<IReadOnlyList<GoBgpRoute>> ReadRibAsync(string family, CancellationToken cancellationToken)
    {
        var result = await RunCheckedAsync(GoBgpCommand.ListRib(_options, family), cancellationToken).ConfigureAwait(false);
        return GoBgpRibParser.ParseRib(result.StandardOutput);
    }

    async Task<GoBgpRunResult> RunCheckedAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Log.Running(_logger, new CommandText(_options.GoBgpPath, arguments));
        var result = await _runner.RunAsync(arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var detail = FirstLine(result.StandardError.Length > 0 ? result.StandardError : result.StandardOutput);
            throw new MitigationException(
                $"'{GoBgpCommand.ToDisplayString(_options.GoBgpPath, arguments)}' failed with exit code {result.ExitCode}: {detail}");
        }
        return result;
    }

    static string FirstLine(string text)
    {
        var t = text.AsSpan().Trim();
        var nl = t.IndexOf('\n');
        return (nl < 0 ? t : t[..nl]).Trim().ToString();
    }

    public void Dispose() => _gate.Dispose();
}
