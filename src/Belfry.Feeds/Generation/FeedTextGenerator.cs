using System.Globalization;
using System.Text;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Feeds.Generation;

/// <summary>
/// Random but valid inputs for the list feeds and IntelMQ events, from a seed, for property tests
/// and benchmarks: generate, parse, and compare with what was generated. Addresses are drawn from
/// the documentation ranges (RFC 5737, RFC 3849) only.
/// </summary>
public sealed class FeedTextGenerator(int seed)
{
    static readonly uint[] s_docV4 = [0xC0000200, 0xC6336400, 0xCB007100]; // 192.0.2.0, 198.51.100.0, 203.0.113.0
    static readonly string[] s_types = ["scanner", "c2-server", "phishing", "spam", "malware-distribution", "vulnerable-system"];
    static readonly string[] s_c2Malware = ["Dridex", "QakBot", "Emotet", "IcedID", "Pikabot"];

    readonly Random _rng = new(seed);

    public int Seed => seed;

    public NetAddress NextV4() => NetAddress.FromV4(s_docV4[_rng.Next(s_docV4.Length)] | (uint)_rng.Next(256));

    /// <summary>A prefix inside one /24 documentation range, length 24..32.</summary>
    public NetPrefix NextV4Prefix() => new(NextV4(), 24 + _rng.Next(9));

    /// <summary>A Spamhaus DROP text list of <paramref name="count"/> records, with its expected networks.</summary>
    public string DropText(int count, DateTime lastModifiedUtc, out IReadOnlyList<NetPrefix> networks)
    {
        var sb = new StringBuilder()
            .Append("; Spamhaus DROP List ").Append(lastModifiedUtc.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture)).Append(" - (c) generated\n")
            .Append("; Last-Modified: ").Append(lastModifiedUtc.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture)).Append('\n');
        var list = new List<NetPrefix>(count);
        for (var i = 0; i < count; i++)
        {
            var p = NextV4Prefix();
            list.Add(p);
            sb.Append(p.ToString()).Append(" ; SBL").Append(100000 + i).Append(_rng.Next(2) == 0 ? "\n" : "\r\n");
        }
        networks = list;
        return sb.ToString();
    }

    /// <summary>
    /// A Feodo Tracker ipblocklist.csv of <paramref name="count"/> C2 entries, with the entries written. First
    /// seen times are whole seconds before <paramref name="lastUpdatedUtc"/>, as the export writes them; about
    /// one entry in five has an empty last_online, so a parse also meets the empty cells of a real list.
    /// </summary>
    public string FeodoCsvText(int count, DateTime lastUpdatedUtc, out IReadOnlyList<GeneratedC2> entries)
    {
        var sb = new StringBuilder()
            .Append("################################################################\n")
            .Append("# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV, generated)\n")
            .Append("# Last updated: ").Append(lastUpdatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Append(" UTC\n")
            .Append("################################################################\n")
            .Append("#\n")
            .Append("# \"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n");
        var list = new List<GeneratedC2>(count);
        for (var i = 0; i < count; i++)
        {
            var firstSeen = lastUpdatedUtc.AddSeconds(-_rng.Next(1, 60 * 60 * 24 * 700));
            firstSeen = firstSeen.AddTicks(-(firstSeen.Ticks % TimeSpan.TicksPerSecond));
            DateOnly? lastOnline = _rng.Next(5) == 0 ? null : DateOnly.FromDateTime(firstSeen.AddDays(_rng.Next((int)(lastUpdatedUtc - firstSeen).TotalDays + 1)));
            var c2 = new GeneratedC2(NextV4(), _rng.Next(1, 65536), firstSeen, _rng.Next(3) == 0 ? "offline" : "online", lastOnline, s_c2Malware[_rng.Next(s_c2Malware.Length)]);
            list.Add(c2);
            sb.Append('"').Append(c2.FirstSeenUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Append("\",\"").Append(c2.Ip.ToString())
                .Append("\",\"").Append(c2.Port.ToString(CultureInfo.InvariantCulture))
                .Append("\",\"").Append(c2.Status)
                .Append("\",\"").Append(c2.LastOnline?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                .Append("\",\"").Append(c2.Malware)
                .Append('"').Append(_rng.Next(2) == 0 ? "\n" : "\r\n");
        }
        sb.Append("# Number of entries: ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        entries = list;
        return sb.ToString();
    }

    /// <summary>An OpenPhish-style list of <paramref name="count"/> URLs on example.com/-.org/-.net hosts.</summary>
    public IReadOnlyList<string> PhishingUrls(int count)
    {
        var list = new List<string>(count);
        string[] tlds = ["example.com", "example.org", "example.net"];
        for (var i = 0; i < count; i++)
        {
            list.Add($"{(_rng.Next(2) == 0 ? "http" : "https")}://h{_rng.Next(100000)}.{tlds[_rng.Next(tlds.Length)]}/p/{_rng.Next(1000)}?id={i}");
        }
        return list;
    }

    /// <summary>A random event with the common field kinds, as an IntelMQ reader would produce it.</summary>
    public Event IntelMqEvent()
    {
        var raw = $"{NextV4()},{_rng.Next()},\"x\"";
        var e = new Event { Raw = raw, Tlp = (Tlp)_rng.Next(5) };
        if (_rng.Next(3) == 0)
        {
            e.Organisation = "org-" + _rng.Next(1000).ToString(CultureInfo.InvariantCulture);
        }
        e.Set(Fields.FeedName, "Generated " + _rng.Next(5).ToString(CultureInfo.InvariantCulture));
        e.Set(Fields.TimeObservation, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(_rng.Next(10_000_000)));
        e.Set(Fields.TimeSource, new DateTime(2023, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(_rng.NextInt64(TimeSpan.TicksPerDay * 300) / 10 * 10));
        e.Set(Fields.ClassificationType, s_types[_rng.Next(s_types.Length)]);
        e.Set(Fields.SourceIp, NextV4());
        if (_rng.Next(2) == 0)
        {
            e.Set(Fields.SourcePort, _rng.Next(1, 65536));
        }
        if (_rng.Next(2) == 0)
        {
            e.Set(Fields.SourceNetwork, FieldValue.Of(NextV4Prefix()));
        }
        if (_rng.Next(2) == 0)
        {
            e.Set(Fields.SourceAsn, 64496 + _rng.Next(16));
        }
        e.Set("extra.count", _rng.NextInt64(-1000, 1000));
        e.Set("extra.ratio", FieldValue.Of(Math.Round(_rng.NextDouble() * 100, 3)));
        e.Set("extra.flag", FieldValue.Of(_rng.Next(2) == 0));
        e.Set("extra.note", "note \"" + _rng.Next(100).ToString(CultureInfo.InvariantCulture) + "\" é +");
        e.Id = EventId.Compute(e.FeedName, raw);
        return e;
    }
}

/// <summary>One C2 entry of <see cref="FeedTextGenerator.FeodoCsvText"/>, as written to the CSV.</summary>
public sealed record GeneratedC2(NetAddress Ip, int Port, DateTime FirstSeenUtc, string Status, DateOnly? LastOnline, string Malware);
