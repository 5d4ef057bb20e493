using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Attacks;

public enum AttackTargetKind : byte
{
    /// <summary>One address (a /32 or /128 <see cref="Attack.Target"/>).</summary>
    Host,

    /// <summary>An aggregation prefix: carpet bombing.</summary>
    Prefix,
}

/// <summary>Why the attack was raised.</summary>
public enum DetectionReason : byte
{
    /// <summary>A static threshold of the host group.</summary>
    Threshold,

    /// <summary>The learned baseline (rate above multiplier × baseline and above the floor).</summary>
    Baseline,

    /// <summary>Many hosts of the prefix each elevated over their own baselines.</summary>
    ElevatedHosts,
}

public enum AttackEventKind : byte
{
    Started,
    Updated,
    Ended,
}

/// <summary>
/// An immutable snapshot of one attack, as carried by <see cref="AttackEvent"/>s, stored by
/// <see cref="IAttackStore"/> and turned into an IntelMQ event by <see cref="AttackEvents.ToEvent(Attack, AttackEventKind, DateTime)"/>.
/// Rates are inbound per-second rates to the target.
/// </summary>
public sealed record Attack
{
    /// <summary>Deterministic: start time and target, e.g. <c>20210504T091500Z-192.0.2.10</c>.</summary>
    public required string Id { get; init; }
    public required AttackTargetKind TargetKind { get; init; }

    /// <summary>The attacked host as a /32 or /128, or the carpet-bombed prefix.</summary>
    public required NetPrefix Target { get; init; }
    public NetAddress TargetAddress => Target.Network;

    /// <summary>The monitored network the target is in.</summary>
    public NetPrefix Network { get; init; }
    public string? Organisation { get; init; }
    public string HostGroup { get; init; } = "";

    /// <summary>Main vector first; a prefix attack starts with <see cref="AttackVector.CarpetBombing"/>.</summary>
    public required IReadOnlyList<AttackVector> Vectors { get; init; }
    public AttackVector MainVector => Vectors.Count > 0 ? Vectors[0] : AttackVector.Unknown;

    public DetectionReason Reason { get; init; }

    /// <summary>The metric that raised it: <c>pps</c>, <c>syn_pps</c>, <c>baseline:udp</c>, <c>elevated_hosts</c> ...</summary>
    public string Trigger { get; init; } = "";

    /// <summary>Start of the first second of the above-threshold run that raised the attack.</summary>
    public required DateTime Start { get; init; }

    /// <summary>The evaluation that raised it (end of the second); <c>Detected − Start</c> is the detection latency.</summary>
    public DateTime Detected { get; init; }

    /// <summary>End of the last second above the alert level.</summary>
    public DateTime LastSeen { get; init; }

    /// <summary>Set when the hold-down expired.</summary>
    public DateTime? End { get; init; }
    public bool IsActive => End is null;

    public double CurrentPps { get; init; }
    public double CurrentBps { get; init; }
    public double PeakPps { get; init; }
    public double PeakBps { get; init; }
    public double PeakFlowsPerSecond { get; init; }
    public ulong TotalPackets { get; init; }
    public ulong TotalBytes { get; init; }

    /// <summary>HyperLogLog estimate of distinct source addresses over the attack (0 when no sketch was kept).</summary>
    public long DistinctSources { get; init; }

    /// <summary>For a prefix attack: the most hosts of the prefix seen with traffic in one second.</summary>
    public int Hosts { get; init; }

    public IReadOnlyList<TopItem<NetAddress>> TopSources { get; init; } = [];
    public IReadOnlyList<TopItem<ushort>> TopSourcePorts { get; init; } = [];
    public IReadOnlyList<TopItem<uint>> TopSourceAsns { get; init; } = [];

    /// <summary>Number of the last event sent for this attack (0 = Started, then 1, 2, ... for updates and the end).</summary>
    public int Sequence { get; init; }
}

/// <summary>Raised by the detector from <c>Tick</c> through the callback given to <c>DdosDetector</c>.</summary>
public sealed record AttackEvent(AttackEventKind Kind, Attack Attack, DateTime Time);
