using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Attacks;

/// <summary>The detector's mutable record of one active attack; <see cref="ToAttack"/> takes an immutable snapshot.</summary>
internal sealed class AttackState
{
    readonly double[] _packets = new double[TrafficClasses.Count];
    readonly double[] _bytes = new double[TrafficClasses.Count];

    public required string Id { get; init; }
    public required AttackTargetKind Kind { get; init; }
    public required NetPrefix Target { get; init; }
    public required PrefixKey Key { get; init; }
    public required NetPrefix Network { get; init; }
    public string? Organisation { get; init; }
    public required string Group { get; init; }
    public DetectionReason Reason { get; init; }
    public string Trigger { get; init; } = "";
    public required DateTime Start { get; init; }
    public required DateTime Detected { get; init; }

    public DateTime LastSeen;
    public DateTime? End;
    public int Below;
    public long ObservedSecond = long.MinValue;
    public double CurrentPps;
    public double CurrentBps;
    public double PeakPps;
    public double PeakBps;
    public double PeakFlows;
    public double TotalPackets;
    public double TotalBytes;
    public int Hosts;
    public ulong Mask;
    public HostDetail Detail { get; } = new();
    public bool HasDetail;

    /// <summary>-1 until the Started event is out.</summary>
    public int Sequence = -1;
    public long LastEventSecond;
    public double ReportedPeakPps;
    public ulong ReportedMask;

    /// <summary>One second of the target's inbound traffic; <paramref name="ratio"/> ≥ 1 means above the alert level.</summary>
    public void Observe(in DirectionCounters c, double ratio, DateTime secondEnd, long second, double minShare, int hosts)
    {
        ObservedSecond = second;
        CurrentPps = c.Packets;
        CurrentBps = c.Bytes * 8.0;
        PeakPps = Math.Max(PeakPps, CurrentPps);
        PeakBps = Math.Max(PeakBps, CurrentBps);
        PeakFlows = Math.Max(PeakFlows, c.Flows);
        TotalPackets += c.Packets;
        TotalBytes += c.Bytes;
        Hosts = Math.Max(Hosts, hosts);
        if (ratio < 1)
        {
            Below++;
            return;
        }
        Below = 0;
        LastSeen = secondEnd;
        Span<double> p = stackalloc double[TrafficClasses.Count];
        Span<double> b = stackalloc double[TrafficClasses.Count];
        for (var i = 0; i < TrafficClasses.Count; i++)
        {
            p[i] = c.Classes[i].Packets;
            b[i] = c.Classes[i].Bytes;
            _packets[i] += p[i];
            _bytes[i] += b[i];
        }
        Span<double> scores = stackalloc double[AttackVectors.ScoreCount];
        AttackVectors.Score(p, b, scores);
        Mask |= AttackVectors.Mask(scores, minShare);
    }

    public void AddDetail(HostDetail d)
    {
        Detail.Merge(d);
        HasDetail = true;
    }

    public Attack ToAttack(int top)
    {
        Span<double> scores = stackalloc double[AttackVectors.ScoreCount];
        AttackVectors.Score(_packets, _bytes, scores);
        return new Attack
        {
            Id = Id,
            TargetKind = Kind,
            Target = Target,
            Network = Network,
            Organisation = Organisation,
            HostGroup = Group,
            Vectors = AttackVectors.Order(Mask, scores, Kind == AttackTargetKind.Prefix),
            Reason = Reason,
            Trigger = Trigger,
            Start = Start,
            Detected = Detected,
            LastSeen = LastSeen,
            End = End,
            CurrentPps = CurrentPps,
            CurrentBps = CurrentBps,
            PeakPps = PeakPps,
            PeakBps = PeakBps,
            PeakFlowsPerSecond = PeakFlows,
            TotalPackets = (ulong)Math.Min(TotalPackets, ulong.MaxValue),
            TotalBytes = (ulong)Math.Min(TotalBytes, ulong.MaxValue),
            DistinctSources = HasDetail ? Detail.Sources.Estimate() : 0,
            Hosts = Hosts,
            TopSources = Detail.TopSources.Top(top),
            TopSourcePorts = Detail.TopSourcePorts.Top(top),
            TopSourceAsns = Detail.TopSourceAsns.Top(top),
            Sequence = Math.Max(0, Sequence),
        };
    }
}
