using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Belfry.Core.Net;
using Belfry.Ddos.Counters;

namespace Belfry.Ddos.Attacks;

/// <summary>
/// JSON form of attacks and attack events (hand-written, AOT safe): what <c>belfry flows listen --json</c>
/// prints, one line per event, and what <see cref="IAttackStore"/> keeps.
/// </summary>
public static class AttackJson
{
    /// <summary><c>{"event":"started","time":"...","attack":{...}}</c> on one line.</summary>
    public static string ToJsonLine(AttackEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("event", e.Kind.ToString().ToLowerInvariant());
            w.WriteString("time", e.Time);
            w.WritePropertyName("attack");
            Write(w, e.Attack);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string ToJson(Attack attack)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, attack);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Write(Utf8JsonWriter w, Attack a)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(a);
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        w.WriteString("target", a.TargetKind == AttackTargetKind.Host ? a.TargetAddress.ToString() : a.Target.ToString());
        w.WriteString("target_kind", a.TargetKind == AttackTargetKind.Host ? "host" : "prefix");
        w.WriteString("network", a.Network.ToString());
        if (a.Organisation is not null)
        {
            w.WriteString("organisation", a.Organisation);
        }
        w.WriteString("host_group", a.HostGroup);
        w.WriteStartArray("vectors");
        foreach (var v in a.Vectors)
        {
            w.WriteStringValue(AttackVectors.Identifier(v));
        }
        w.WriteEndArray();
        w.WriteString("reason", a.Reason switch
        {
            DetectionReason.Baseline => "baseline",
            DetectionReason.ElevatedHosts => "elevated_hosts",
            _ => "threshold",
        });
        w.WriteString("trigger", a.Trigger);
        w.WriteString("start", a.Start);
        w.WriteString("detected", a.Detected);
        w.WriteString("last_seen", a.LastSeen);
        if (a.End is { } end)
        {
            w.WriteString("end", end);
        }
        w.WriteNumber("current_pps", Math.Round(a.CurrentPps));
        w.WriteNumber("current_bps", Math.Round(a.CurrentBps));
        w.WriteNumber("peak_pps", Math.Round(a.PeakPps));
        w.WriteNumber("peak_bps", Math.Round(a.PeakBps));
        w.WriteNumber("peak_flows", Math.Round(a.PeakFlowsPerSecond));
        w.WriteNumber("total_packets", a.TotalPackets);
        w.WriteNumber("total_bytes", a.TotalBytes);
        w.WriteNumber("distinct_sources", a.DistinctSources);
        w.WriteNumber("hosts", a.Hosts);
        w.WriteNumber("sequence", a.Sequence);
        w.WriteStartArray("top_sources");
        foreach (var s in a.TopSources)
        {
            w.WriteStartObject();
            w.WriteString("ip", s.Value.ToString());
            w.WriteNumber("packets", s.Packets);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("top_source_ports");
        foreach (var s in a.TopSourcePorts)
        {
            w.WriteStartObject();
            w.WriteNumber("port", s.Value);
            w.WriteNumber("packets", s.Packets);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("top_source_asns");
        foreach (var s in a.TopSourceAsns)
        {
            w.WriteStartObject();
            w.WriteNumber("asn", s.Value);
            w.WriteNumber("packets", s.Packets);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    public static Attack Read(JsonElement e)
    {
        var kind = e.GetProperty("target_kind").GetString() == "prefix" ? AttackTargetKind.Prefix : AttackTargetKind.Host;
        var targetText = e.GetProperty("target").GetString() ?? "";
        var target = kind == AttackTargetKind.Host ? AttackEvents.HostPrefix(NetAddress.Parse(targetText)) : NetPrefix.Parse(targetText);
        var vectors = new List<AttackVector>();
        foreach (var v in e.GetProperty("vectors").EnumerateArray())
        {
            if (AttackVectors.TryParse(v.GetString() ?? "", out var vector))
            {
                vectors.Add(vector);
            }
        }
        return new Attack
        {
            Id = e.GetProperty("id").GetString() ?? "",
            TargetKind = kind,
            Target = target,
            Network = NetPrefix.Parse(e.GetProperty("network").GetString() ?? "::/0"),
            Organisation = e.TryGetProperty("organisation", out var org) ? org.GetString() : null,
            HostGroup = e.GetProperty("host_group").GetString() ?? "",
            Vectors = vectors,
            Reason = e.GetProperty("reason").GetString() switch
            {
                "baseline" => DetectionReason.Baseline,
                "elevated_hosts" => DetectionReason.ElevatedHosts,
                _ => DetectionReason.Threshold,
            },
            Trigger = e.GetProperty("trigger").GetString() ?? "",
            Start = e.GetProperty("start").GetDateTime(),
            Detected = e.GetProperty("detected").GetDateTime(),
            LastSeen = e.GetProperty("last_seen").GetDateTime(),
            End = e.TryGetProperty("end", out var end) ? end.GetDateTime() : null,
            CurrentPps = e.GetProperty("current_pps").GetDouble(),
            CurrentBps = e.GetProperty("current_bps").GetDouble(),
            PeakPps = e.GetProperty("peak_pps").GetDouble(),
            PeakBps = e.GetProperty("peak_bps").GetDouble(),
            PeakFlowsPerSecond = e.GetProperty("peak_flows").GetDouble(),
            TotalPackets = e.GetProperty("total_packets").GetUInt64(),
            TotalBytes = e.GetProperty("total_bytes").GetUInt64(),
            DistinctSources = e.GetProperty("distinct_sources").GetInt64(),
            Hosts = e.GetProperty("hosts").GetInt32(),
            Sequence = e.GetProperty("sequence").GetInt32(),
            TopSources = [.. e.GetProperty("top_sources").EnumerateArray().Select(s =>
                new TopItem<NetAddress>(NetAddress.Parse(s.GetProperty("ip").GetString() ?? ""), s.GetProperty("packets").GetUInt64()))],
            TopSourcePorts = [.. e.GetProperty("top_source_ports").EnumerateArray().Select(s =>
                new TopItem<ushort>(s.GetProperty("port").GetUInt16(), s.GetProperty("packets").GetUInt64()))],
            TopSourceAsns = [.. e.GetProperty("top_source_asns").EnumerateArray().Select(s =>
                new TopItem<uint>(s.GetProperty("asn").GetUInt32(), s.GetProperty("packets").GetUInt64()))],
        };
    }

    public static Attack Read(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    public static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
