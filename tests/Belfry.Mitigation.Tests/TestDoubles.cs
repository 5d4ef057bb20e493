using Belfry.Core.Net;
using Belfry.Mitigation.GoBgp;

namespace Belfry.Mitigation.Tests;

/// <summary>A gobgp stand-in: records every command, answers RIB listings from <see cref="Ribs"/>.</summary>
sealed class FakeGoBgpRunner : IGoBgpRunner
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    /// <summary>JSON answered to <c>-j global rib -a FAMILY</c>; "{}" for families not set.</summary>
    public Dictionary<string, string> Ribs { get; } = [];

    /// <summary>Answers a command instead of the default (exit 0, no output) when it returns non-null.</summary>
    public Func<IReadOnlyList<string>, GoBgpRunResult?>? OnCommand { get; set; }

    public Task<GoBgpRunResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default)
    {
        Calls.Add(arguments);
        if (OnCommand?.Invoke(arguments) is { } result)
        {
            return Task.FromResult(result);
        }
        if (arguments.Contains("-j") && arguments.Contains("rib"))
        {
            var family = arguments[arguments.ToList().IndexOf("-a") + 1];
            return Task.FromResult(new GoBgpRunResult(0, Ribs.GetValueOrDefault(family, "{}"), ""));
        }
        return Task.FromResult(new GoBgpRunResult(0, "", ""));
    }

    /// <summary>The commands that changed the RIB (add / del), without the connection words.</summary>
    public IEnumerable<string> Changes => Calls.Where(c => !c.Contains("-j")).Select(c => string.Join(' ', c.Skip(4)));
}

/// <summary>A mitigator that fails the operations a test chooses, over a dry run.</summary>
sealed class FlakyMitigator(IMitigator inner) : IMitigator
{
    public int FailAnnouncements { get; set; }
    public int FailWithdrawals { get; set; }
    public int ListCalls { get; private set; }

    public Task<Mitigation> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default) =>
        FailAnnouncements-- > 0 ? throw new MitigationException("router down") : inner.AnnounceBlackholeAsync(target, reason, cancellationToken);

    public Task<Mitigation> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default) =>
        FailAnnouncements-- > 0 ? throw new MitigationException("router down") : inner.AnnounceFlowspecAsync(rule, reason, cancellationToken);

    public Task<bool> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default) =>
        FailWithdrawals-- > 0 ? throw new MitigationException("router down") : inner.WithdrawAsync(id, cancellationToken);

    public Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        ListCalls++;
        return inner.ListActiveAsync(cancellationToken);
    }
}

sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A router that can be taken down: while <see cref="Down"/>, every call throws (a different exception type each time).</summary>
sealed class SwitchableMitigator(IMitigator inner) : IMitigator
{
    int _n;

    public bool Down { get; set; }
    public int Attempts { get; private set; }

    Exception Failure() => (_n++ % 3) switch
    {
        0 => new MitigationException("gobgpd is not listening"),
        1 => new TimeoutException("gobgp did not finish"),
        _ => new IOException("pipe broken"),
    };

    T Check<T>(Func<T> call)
    {
        Attempts++;
        return Down ? throw Failure() : call();
    }

    public Task<Mitigation> AnnounceBlackholeAsync(NetAddress target, string reason, CancellationToken cancellationToken = default) =>
        Check(() => inner.AnnounceBlackholeAsync(target, reason, cancellationToken));

    public Task<Mitigation> AnnounceFlowspecAsync(FlowspecRule rule, string reason, CancellationToken cancellationToken = default) =>
        Check(() => inner.AnnounceFlowspecAsync(rule, reason, cancellationToken));

    public Task<bool> WithdrawAsync(MitigationId id, CancellationToken cancellationToken = default) =>
        Check(() => inner.WithdrawAsync(id, cancellationToken));

    public Task<IReadOnlyList<Mitigation>> ListActiveAsync(CancellationToken cancellationToken = default) =>
        Check(() => inner.ListActiveAsync(cancellationToken));
}
