using System.Globalization;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Writes realistic Shadowserver CSV reports for any report type of a schema: the header is the
/// report's columns, every value is valid for its conversion, and the output depends only on the
/// arguments (same seed, same file). Source addresses come mostly from the given pools, so a demo
/// can target its organisations, and partly from outside them.
/// </summary>
public sealed class ShadowserverReportGenerator
{
    /// <summary>Share of rows whose source address is drawn outside the pools.</summary>
    const int OutsidePercent = 15;

    static readonly string[] s_geo = ["BE", "BE", "BE", "BE", "NL", "FR", "DE", "LU", "US", "GB"];
    static readonly string[] s_region = ["BRUXELLES-CAPITALE", "ANTWERPEN", "OOST-VLAANDEREN", "LIEGE", "HAINAUT", "VLAAMS-BRABANT", "NAMUR"];
    static readonly string[] s_city = ["BRUSSELS", "ANTWERP", "GHENT", "LIEGE", "CHARLEROI", "LEUVEN", "NAMUR", "MECHELEN", "BRUGGE"];
    static readonly string[] s_sector = ["Communications, Service Provider, and Hosting Service", "Government and Public Administration", "Healthcare", "Education", "Energy", "Finance"];
    static readonly string[] s_severity = ["critical", "high", "medium", "low", "info"];
    static readonly string[] s_protocol = ["tcp", "tcp", "tcp", "udp"];
    static readonly string[] s_family = ["andromeda", "mirai", "qakbot", "emotet", "avalanche-andromeda", "necurs", "gamarue"];
    static readonly string[] s_cves = ["cve-2021-26855", "cve-2023-4966", "cve-2024-3400", "cve-2019-19781", "cve-2022-1388", "cve-2023-46805"];
    static readonly string[] s_words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
    static readonly string[] s_httpReason = ["OK", "Not Found", "Forbidden", "Unauthorized", "Moved Permanently"];
    static readonly string[] s_server = ["nginx", "Apache", "lighttpd", "Microsoft-IIS/10.0", "Boa/0.94.14rc21"];
    static readonly string[] s_contentType = ["text/html", "text/html; charset=UTF-8", "application/json", "text/plain"];
    static readonly string[] s_category = ["phishing", "spam", "malware", "stealer"];
    static readonly string[] s_days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    static readonly long[] s_asns = [5432, 6848, 12392, 2611, 47377, 9031, 5400, 15169, 16509, 3320];
    static readonly long[] s_naics = [517311, 518210, 519130, 541512, 0];
    static readonly int[] s_ports = [80, 443, 8080, 8443, 22, 23, 21, 25, 53, 123, 161, 445, 3389, 5900, 10443];

    readonly ShadowserverSchema _schema;

    public ShadowserverReportGenerator(ShadowserverSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
    }

    /// <summary>Shadowserver's file name for a report of that day, e.g. <c>2026-11-30-scan_http-belgium-geo.csv</c>.</summary>
    public string FileNameFor(string reportType, DateOnly day) => ShadowserverFileName.For(_schema.GetReport(reportType).FileName, day);

    /// <summary>Writes a header and <paramref name="rows"/> rows of the report type, time stamps within <paramref name="day"/> (UTC).</summary>
    public void Write(TextWriter w, string reportType, int rows, IReadOnlyList<NetPrefix> pools, DateOnly day, int seed)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var report = _schema.GetReport(reportType);
        var gens = Plan(report);
        var v6 = IsV6(report.FileName);
        var v4Pools = new List<NetPrefix>();
        var v6Pools = new List<NetPrefix>();
        foreach (var p in pools)
        {
            (p.IsV4 ? v4Pools : v6Pools).Add(p);
        }
        var state = new RowState(new Random(seed), v6 ? v6Pools : v4Pools, pools, v6, day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));

        for (var i = 0; i < gens.Length; i++)
        {
            if (i > 0)
            {
                w.Write(',');
            }
            WriteQuoted(w, gens[i].Column);
        }
        w.Write('\n');
        Span<char> buf = stackalloc char[128];
        for (var r = 0; r < rows; r++)
        {
            state.NextRow();
            for (var i = 0; i < gens.Length; i++)
            {
                if (i > 0)
                {
                    w.Write(',');
                }
                WriteValue(w, gens[i], report, state, buf);
            }
            w.Write('\n');
        }
    }

    enum Gen
    {
        Timestamp,
        SourceIp,
        OtherIp,
        Port,
        Asn,
        Integer,
        Naics,
        Float,
        Boolean,
        Country,
        Region,
        City,
        Hostname,
        HttpHost,
        UrlPath,
        FullUrl,
        Date,
        HttpDate,
        Protocol,
        Application,
        Tag,
        Severity,
        Sector,
        Family,
        Category,
        Base64,
        HttpReason,
        Server,
        ContentType,
        Text,
    }

    sealed record ColumnGen(string Column, Gen Gen);

    sealed class RowState(Random random, List<NetPrefix> pools, IReadOnlyList<NetPrefix> allPools, bool v6, DateTime day)
    {
        public Random Random { get; } = random;
        public bool V6 { get; } = v6;
        public NetAddress SourceIp { get; private set; }
        public DateTime Time { get; private set; }
        public int Pick { get; private set; }

        public void NextRow()
        {
            Time = day.AddSeconds(Random.Next(86400));
            Pick = Random.Next(1 << 20);
            SourceIp = pools.Count > 0 && Random.Next(100) >= OutsidePercent ? InPool(pools[Random.Next(pools.Count)]) : Outside();
        }

        NetAddress InPool(NetPrefix p)
        {
            var hostBits = (p.IsV4 ? 32 : 128) - p.Length;
            var offset = hostBits >= 31 ? (UInt128)(uint)Random.Next() : (UInt128)(uint)Random.Next(1 << hostBits);
            return new NetAddress(p.Network.Value + offset);
        }

        public NetAddress Outside()
        {
            while (true)
            {
                NetAddress a;
                if (V6)
                {
                    // 2a02::/16-ish public space
                    a = new NetAddress(new UInt128(0x2a02_0000_0000_0000UL | ((ulong)(uint)Random.Next() << 16), (ulong)Random.NextInt64()));
                }
                else
                {
                    var v4 = (uint)(Random.Next(1, 224) << 24) | (uint)Random.Next(1 << 24);
                    if ((v4 >> 24) is 10 or 127 || (v4 >> 16) is 0xC0A8 or 0xA9FE || (v4 >> 20) == 0xAC1)
                    {
                        continue; // private, loopback, link-local
                    }
                    a = NetAddress.FromV4(v4);
                }
                var inside = false;
                foreach (var p in allPools)
                {
                    inside |= p.Contains(a);
                }
                if (!inside)
                {
                    return a;
                }
            }
        }

        public T Of<T>(T[] values) => values[Random.Next(values.Length)];
    }

    static bool IsV6(string fileName) =>
        fileName.StartsWith("scan6_", StringComparison.Ordinal) || fileName.StartsWith("event6_", StringComparison.Ordinal) ||
        fileName.StartsWith("population6_", StringComparison.Ordinal) || fileName.EndsWith('6');

    static ColumnGen[] Plan(ShadowserverReport report)
    {
        var gens = new ColumnGen[report.Columns.Count];
        for (var i = 0; i < gens.Length; i++)
        {
            var column = report.Columns[i];
            gens[i] = new ColumnGen(column, GenFor(report, column));
        }
        return gens;
    }

    /// <summary>Chooses what a column holds from its name and from every mapping that reads it.</summary>
    static Gen GenFor(ShadowserverReport report, string column)
    {
        var kinds = new HashSet<ValueKind>();
        var convs = new HashSet<ShadowserverConversion>();
        var required = false;
        string? target = null;
        foreach (var list in new[] { report.RequiredFields, report.OptionalFields })
        {
            foreach (var m in list)
            {
                if (m.Column != column)
                {
                    continue;
                }
                required |= list == report.RequiredFields;
                convs.Add(m.Conversion);
                var t = m.TargetField;
                target ??= t;
                kinds.Add(!Fields.IsExtra(t) && Fields.Known.TryGetValue(t, out var type)
                    ? ShadowserverPlan.KindOfType(type, m.Conversion)
                    : ShadowserverPlan.KindOfConversion(m.Conversion));
            }
        }
        if (column == "timestamp" || kinds.Contains(ValueKind.Time))
        {
            return column == "timestamp" || convs.Contains(ShadowserverConversion.AddUtcToTimestamp) ? Gen.Timestamp
                : column.Contains("http_date", StringComparison.Ordinal) ? Gen.HttpDate : Gen.Date;
        }
        if (kinds.Contains(ValueKind.Address) || kinds.Contains(ValueKind.Prefix))
        {
            return required || column is "ip" or "src_ip" ? Gen.SourceIp : Gen.OtherIp;
        }
        if (kinds.Contains(ValueKind.Port))
        {
            return Gen.Port;
        }
        if (kinds.Contains(ValueKind.Asn))
        {
            return Gen.Asn;
        }
        if (kinds.Contains(ValueKind.Integer))
        {
            return column.Contains("naics", StringComparison.Ordinal) ? Gen.Naics : Gen.Integer;
        }
        if (kinds.Contains(ValueKind.Float))
        {
            return Gen.Float;
        }
        if (kinds.Contains(ValueKind.Boolean))
        {
            return Gen.Boolean;
        }
        if (kinds.Contains(ValueKind.CountryCode))
        {
            return Gen.Country;
        }
        if (kinds.Contains(ValueKind.Url))
        {
            return report.ColumnSet.Contains("http_host") ? Gen.UrlPath : Gen.FullUrl;
        }
        if (column == "http_host")
        {
            return Gen.HttpHost;
        }
        if (kinds.Contains(ValueKind.Fqdn))
        {
            return Gen.Hostname;
        }
        if (convs.Contains(ShadowserverConversion.ForceBase64))
        {
            return Gen.Base64;
        }
        if (convs.Contains(ShadowserverConversion.CategoryOrDetail))
        {
            return Gen.Category;
        }
        if (column == "tag" || convs.Contains(ShadowserverConversion.ExtractCveFromTag))
        {
            return Gen.Tag;
        }
        return column switch
        {
            "protocol" => Gen.Protocol,
            "application" => Gen.Application,
            "severity" => Gen.Severity,
            "region" or "src_region" or "dst_region" => Gen.Region,
            "city" or "src_city" or "dst_city" => Gen.City,
            "infection" or "family" or "malware" => Gen.Family,
            "http_reason" => Gen.HttpReason,
            "server" or "server_type" => Gen.Server,
            "content_type" => Gen.ContentType,
            _ when column.Contains("sector", StringComparison.Ordinal) => Gen.Sector,
            _ => Gen.Text,
        };
    }

    static void WriteValue(TextWriter w, ColumnGen g, ShadowserverReport report, RowState s, Span<char> buf)
    {
        var rnd = s.Random;
        int n;
        switch (g.Gen)
        {
            case Gen.Timestamp:
                s.Time.TryFormat(buf, out n, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                WriteQuoted(w, buf[..n]);
                return;
            case Gen.Date:
                s.Time.AddDays(-rnd.Next(1, 400)).TryFormat(buf, out n, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                WriteQuoted(w, buf[..n]);
                return;
            case Gen.HttpDate:
                var t = s.Time.AddSeconds(rnd.Next(0, 5));
                w.Write('"');
                w.Write(s_days[(int)t.DayOfWeek]);
                w.Write(", ");
                t.TryFormat(buf, out n, "dd", CultureInfo.InvariantCulture);
                w.Write(buf[..n]);
                w.Write(' ');
                w.Write(s_months[t.Month - 1]);
                t.TryFormat(buf, out n, " yyyy HH:mm:ss", CultureInfo.InvariantCulture);
                w.Write(buf[..n]);
                w.Write(" GMT\"");
                return;
            case Gen.SourceIp:
                s.SourceIp.TryFormat(buf, out n);
                WriteQuoted(w, buf[..n]);
                return;
            case Gen.OtherIp:
                s.Outside().TryFormat(buf, out n);
                WriteQuoted(w, buf[..n]);
                return;
            case Gen.Port:
                w.Write(s.Of(s_ports));
                return;
            case Gen.Asn:
                w.Write(s.Of(s_asns));
                return;
            case Gen.Naics:
                w.Write(s.Of(s_naics));
                return;
            case Gen.Integer:
                w.Write(rnd.Next(0, 5000));
                return;
            case Gen.Float:
                w.Write(rnd.Next(0, 10000) / 100.0);
                return;
            case Gen.Boolean:
                w.Write(rnd.Next(2) == 0 ? "\"Y\"" : "\"N\"");
                return;
            case Gen.Country:
                WriteQuoted(w, s.Of(s_geo));
                return;
            case Gen.Region:
                WriteQuoted(w, s.Of(s_region));
                return;
            case Gen.City:
                WriteQuoted(w, s.Of(s_city));
                return;
            case Gen.Hostname:
                WriteHostname(w, s, buf);
                return;
            case Gen.HttpHost:
                w.Write('"');
                w.Write(s.Of(s_words));
                w.Write(s.Pick % 100);
                w.Write(".example.be\"");
                return;
            case Gen.UrlPath:
                w.Write("\"/");
                w.Write(s.Of(s_words));
                w.Write(".php\"");
                return;
            case Gen.FullUrl:
                w.Write("\"http://");
                w.Write(s.Of(s_words));
                w.Write(s.Pick % 100);
                w.Write(".example.be/");
                w.Write(s.Of(s_words));
                w.Write(".php\"");
                return;
            case Gen.Protocol:
                WriteQuoted(w, s.Of(s_protocol));
                return;
            case Gen.Application:
                WriteQuoted(w, rnd.Next(2) == 0 ? "http" : "https");
                return;
            case Gen.Severity:
                WriteQuoted(w, s.Of(s_severity));
                return;
            case Gen.Sector:
                WriteQuoted(w, s.Of(s_sector));
                return;
            case Gen.Family:
                WriteQuoted(w, s.Of(s_family));
                return;
            case Gen.Category:
                WriteQuoted(w, s.Of(s_category));
                return;
            case Gen.HttpReason:
                WriteQuoted(w, s.Of(s_httpReason));
                return;
            case Gen.Server:
                WriteQuoted(w, s.Of(s_server));
                return;
            case Gen.ContentType:
                WriteQuoted(w, s.Of(s_contentType));
                return;
            case Gen.Base64:
                WriteQuoted(w, "R0VUIC8gSFRUUC8xLjENCkhvc3Q6IGV4YW1wbGUuYmUNCg0K");
                return;
            case Gen.Tag:
                WriteTag(w, report, s);
                return;
            default:
                if (rnd.Next(10) < 6)
                {
                    return; // most free-text columns are empty in real reports (see the samples)
                }
                w.Write('"');
                w.Write(g.Column);
                w.Write('-');
                w.Write(s.Of(s_words));
                w.Write('"');
                return;
        }
    }

    static void WriteHostname(TextWriter w, RowState s, Span<char> buf)
    {
        if (s.Random.Next(4) == 0)
        {
            return; // many scanned hosts have no reverse DNS
        }
        s.SourceIp.TryFormat(buf, out var n);
        var name = buf[..n];
        w.Write('"');
        foreach (var c in name)
        {
            w.Write(c is '.' or ':' ? '-' : c);
        }
        w.Write(".dyn.example.be\"");
    }

    /// <summary>Tags: the report name's protocol, a CVE id in some rows of reports that extract them, "webshell" for scan_exchange.</summary>
    static void WriteTag(TextWriter w, ShadowserverReport report, RowState s)
    {
        var name = report.FileName;
        var us = name.IndexOf('_', StringComparison.Ordinal);
        var baseTag = us >= 0 ? name[(us + 1)..] : name;
        w.Write('"');
        if (name.Contains("exchange", StringComparison.Ordinal))
        {
            w.Write(s.Random.Next(5) == 0 ? "exchange;webshell" : "exchange;cve-2021-26855");
        }
        else
        {
            w.Write(baseTag);
            var hasCve = false;
            foreach (var m in report.OptionalFields)
            {
                hasCve |= m.Conversion == ShadowserverConversion.ExtractCveFromTag;
            }
            if (hasCve && s.Random.Next(3) == 0)
            {
                w.Write(';');
                w.Write(s.Of(s_cves));
            }
        }
        w.Write('"');
    }

    static void WriteQuoted(TextWriter w, ReadOnlySpan<char> value)
    {
        w.Write('"');
        if (value.IndexOf('"') < 0)
        {
            w.Write(value);
        }
        else
        {
            foreach (var c in value)
            {
                if (c == '"')
                {
                    w.Write('"');
                }
                w.Write(c);
            }
        }
        w.Write('"');
    }
}
