using System.Globalization;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Ddos.Attacks;

/// <summary>Attacks as IntelMQ-format events (<c>availability</c> / <c>ddos</c>) for the event store and the alerting.</summary>
public static class AttackEvents
{
    public const string FeedName = "Belfry DDoS detection";

    /// <summary>The event for <paramref name="e"/>; see <see cref="ToEvent(Attack, AttackEventKind, DateTime)"/>.</summary>
    public static Event ToEvent(AttackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return ToEvent(e.Attack, e.Kind, e.Time);
    }

    /// <summary>
    /// One event per attack phase. The id is deterministic over the attack id and the phase
    /// (<c>started</c>, <c>ended</c>, or <c>updated/N</c> with the attack's <see cref="Attack.Sequence"/>),
    /// so a replayed event is stored once. Stores that want one row per attack keep Started and Ended only.
    /// </summary>
    public static Event ToEvent(Attack attack, AttackEventKind kind, DateTime observed)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var phase = kind switch
        {
            AttackEventKind.Started => "started",
            AttackEventKind.Ended => "ended",
            _ => string.Create(CultureInfo.InvariantCulture, $"updated/{attack.Sequence}"),
        };
        var e = new Event(24)
        {
            Id = EventId.Compute(FeedName, $"{attack.Id}/{phase}"),
            Organisation = attack.Organisation,
            Tlp = Tlp.Amber,
        };
        e.Append(Fields.FeedName, FieldValue.Of(FeedName));
        e.Append(Fields.ClassificationTaxonomy, FieldValue.Of("availability"));
        e.Append(Fields.ClassificationType, FieldValue.Of("ddos"));
        e.Append(Fields.ClassificationIdentifier, FieldValue.Of(AttackVectors.Identifier(attack.MainVector)));
        e.Append(Fields.TimeSource, FieldValue.Of(attack.Start));
        e.Append(Fields.TimeObservation, FieldValue.Of(observed));
        if (attack.TargetKind == AttackTargetKind.Host)
        {
            e.Append(Fields.DestinationIp, FieldValue.Of(attack.TargetAddress));
        }
        else
        {
            e.Append(Fields.DestinationNetwork, FieldValue.Of(attack.Target));
        }
        var protocol = SingleProtocol(attack);
        if (protocol is not null)
        {
            e.Append(Fields.ProtocolTransport, FieldValue.Of(protocol));
        }
        if (attack.Organisation is not null)
        {
            e.Append(Fields.ExtraOrganisation, FieldValue.Of(attack.Organisation));
        }
        e.Append("extra.attack_id", FieldValue.Of(attack.Id));
        e.Append("extra.phase", FieldValue.Of(kind.ToString().ToLowerInvariant()));
        e.Append("extra.vectors", FieldValue.Of(string.Join(',', attack.Vectors.Select(AttackVectors.Identifier))));
        e.Append("extra.peak_pps", FieldValue.Of((long)attack.PeakPps));
        e.Append("extra.peak_bps", FieldValue.Of((long)attack.PeakBps));
        e.Append("extra.distinct_sources", FieldValue.Of(attack.DistinctSources));
        e.Append("extra.detection", FieldValue.Of(attack.Trigger));
        if (attack.End is { } end)
        {
            e.Append("extra.end", FieldValue.Of(end));
        }
        if (attack.TopSources.Count > 0)
        {
            e.Append("extra.top_sources", FieldValue.Of(string.Join(',', attack.TopSources.Select(s => s.Value.ToString()))));
        }
        if (attack.TopSourcePorts.Count > 0)
        {
            e.Append("extra.top_source_ports", FieldValue.Of(string.Join(',', attack.TopSourcePorts.Select(s => s.Value.ToString(CultureInfo.InvariantCulture)))));
        }
        if (attack.TopSourceAsns.Count > 0)
        {
            e.Append("extra.top_source_asns", FieldValue.Of(string.Join(',', attack.TopSourceAsns.Select(s => s.Value.ToString(CultureInfo.InvariantCulture)))));
        }
        e.Raw = AttackJson.ToJsonLine(new AttackEvent(kind, attack, observed));
        return e;
    }

    static string? SingleProtocol(Attack a)
    {
        byte? p = null;
        foreach (var v in a.Vectors)
        {
            if (v is AttackVector.CarpetBombing or AttackVector.FragmentFlood)
            {
                continue;
            }
            var q = AttackVectors.Protocol(v);
            if (q == 0 || (p is not null && p != q))
            {
                return null;
            }
            p = q;
        }
        return p switch
        {
            6 => "tcp",
            17 => "udp",
            1 => "icmp",
            _ => null,
        };
    }

    internal static NetPrefix HostPrefix(NetAddress a) => new(a, a.IsV4 ? 32 : 128);
}
