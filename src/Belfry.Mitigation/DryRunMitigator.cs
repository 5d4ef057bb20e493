using Belfry.Core.Net;
using Belfry.Mitigation.GoBgp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Belfry.Mitigation;

/// <summary>
/// Touches no router: logs the exact gobgp command it would run and keeps the active list in
/// memory. For <c>--dry-run</c>, the demo, and trying a policy before letting it act.
/// </summary>
public sealed class DryRunMitigator(BgpOptions options, ILogger<DryRunMitigator>? logger = null, TimeProvider? time = null) : IMitigator
{
    readonly BgpOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly Dictionary<MitigationId, Mitigation> _active = [];
    readonly List<string> _commands = [];

    /// <summary>Every command this mitigator would have run, in order, as a shell would need it typed.</summary>
    public IReadOnlyList<string> Commands
    {
        get
        {
            lock (_active)
            {
                return [.. _commands];
            }
        }
    }

    public Task<Mitigation> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var m = Mitigation.Blackhole(target, reason, _options, _time.GetUtcNow());
        Record(GoBgpCommand.AddBlackhole(_options, target), m);
        return Task.FromResult(m);
    }

    public Task<Mitigation> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(reason);
        if (!rule.TryValidate(out var error))
        {
            throw new MitigationException($"Flowspec rule {rule} is invalid: {error}");
        }
        var m = Mitigation.Flowspec(rule, reason, _time.GetUtcNow());
        Record(GoBgpCommand.AddFlowspec(_options, rule), m);
        return Task.FromResult(m);
    }

    public Task<bool> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        lock (_active)
        {
            if (!_active.Remove(id, out var m))
            {
                return Task.FromResult(false);
            }
            var args = m.Kind == MitigationKind.Blackhole
                ? GoBgpCommand.DeleteUnicast(_options, m.Target)
                : GoBgpCommand.DeleteFlowspec(_options, m.Rule!);
            Note(args);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        lock (_active)
        {
            return Task.FromResult<IReadOnlyList<Mitigation>>([.. _active.Values.OrderBy(m => m.AnnouncedAt)]);
        }
    }

    void Record(IReadOnlyList<string> args, Mitigation m)
    {
        lock (_active)
        {
            _active[m.Id] = m;
            Note(args);
        }
        Log.Announced(_logger, m.Id.Value, m.Reason);
    }

    void Note(IReadOnlyList<string> args)
    {
        var text = GoBgpCommand.ToDisplayString(_options.GoBgpPath, args);
        _commands.Add(text);
        Log.DryRun(_logger, text);
    }
}
