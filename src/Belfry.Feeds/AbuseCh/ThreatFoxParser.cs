using System.Text.Json;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.AbuseCh;

/// <summary>
/// abuse.ch ThreatFox IOC exports, CSV (https://threatfox.abuse.ch/export/csv/recent/: a commented
/// header naming the quoted columns) and JSON (https://threatfox.abuse.ch/export/json/recent/: an
/// object keyed by IOC id, each value an array of IOC objects). The form is told by the first
/// character. ioc_type decides the indicator field (ip:port, domain, url, md5/sha1/sha256 hash),
/// threat_type the classification.
/// </summary>
public sealed class ThreatFoxParser : IFeedParser
{
    public const string ParserName = "abusech-threatfox";

    static readonly FeedInfo s_csvFeed = new("ThreatFox", "Abuse.ch", "https://threatfox.abuse.ch/export/csv/recent/");
    static readonly FeedInfo s_jsonFeed = s_csvFeed with { Url = "https://threatfox.abuse.ch/export/json/recent/" };
    static readonly string[] s_defaultColumns =
    [
        "first_seen_utc", "ioc_id", "ioc_value", "ioc_type", "threat_type", "fk_malware", "malware_alias",
        "malware_printable", "last_seen_utc", "confidence_level", "reference", "tags", "anonymous", "reporter",
    ];

    static readonly System.Buffers.SearchValues<char> s_hex = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    public string Name => ParserName;

    public string Description => "abuse.ch ThreatFox IOC export (CSV or JSON)";

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty);
        if (name.Contains("threatfox", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        var head = probe.Head;
        return (head.Contains("ThreatFox", StringComparison.OrdinalIgnoreCase) && head.Contains("ioc_type", StringComparison.Ordinal)) ||
            (head.AsSpan().TrimStart("\uFEFF \t\r\n").StartsWith("{") && head.Contains("\"ioc_value\"", StringComparison.Ordinal) && head.Contains("\"threat_type\"", StringComparison.Ordinal));
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var reader = PrefixedTextReader.Sniff(input, 256, out var head);
        if (head.AsSpan().TrimStart("\uFEFF \t\r\n").StartsWith("{"))
        {
            ParseJson(reader, new FeedRun(s_jsonFeed, context, sink), cancellationToken);
        }
        else
        {
            ParseCsv(reader, new FeedRun(s_csvFeed, context, sink), cancellationToken);
        }
    }

    static void ParseCsv(TextReader input, FeedRun run, CancellationToken cancellationToken)
    {
        using var lines = new LineReader(input);
        var row = new CsvRow();
        var cols = s_defaultColumns;
        void OnComment(ReadOnlySpan<char> comment)
        {
            if (AbuseChHeader.TryGetColumns(comment, "ioc_value") is { } names && Array.IndexOf(names, "ioc_type") >= 0)
            {
                cols = names;
            }
        }
        while (lines.TryReadDataLine(run, '#', OnComment, cancellationToken, out var line, out _))
        {
            var raw = line.ToString();
            if (!row.TrySplit(raw, ',', trimSpaces: true, out var error))
            {
                run.Reject(lines.LineNumber, raw, error!);
                continue;
            }
            if (row.Count != cols.Length)
            {
                run.Reject(lines.LineNumber, raw, $"expected {cols.Length} fields, found {row.Count}");
                continue;
            }
            var rec = new ThreatFoxRecord();
            for (var i = 0; i < cols.Length; i++)
            {
                rec.Set(cols[i], row.Get(raw, i));
            }
            Finish(run, lines.LineNumber, raw, rec);
        }
    }

    static void ParseJson(TextReader input, FeedRun run, CancellationToken cancellationToken)
    {
        using var json = new JsonTopLevelReader(input);
        if (!json.TryStart() || json.Container != '{')
        {
            throw new FeedFormatException($"Feed '{run.Feed.Name}', file '{run.Context.FileName}': expected a JSON object keyed by IOC id.");
        }
        foreach (var text in json.Elements(run, cancellationToken))
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(text, JsonValues.DocumentOptions);
            }
            catch (JsonException ex)
            {
                run.Reject(json.Line, text, $"IOC {json.Key}: invalid JSON: {ex.Message}");
                continue;
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object)
                {
                    FromJson(run, json.Line, json.Key, root);
                }
                else if (root.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in root.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object)
                        {
                            FromJson(run, json.Line, json.Key, item);
                        }
                        else
                        {
                            run.Reject(json.Line, item.GetRawText(), $"IOC {json.Key}: expected an object, found {item.ValueKind}");
                        }
                    }
                }
                else
                {
                    run.Reject(json.Line, text, $"IOC {json.Key}: expected an array of objects, found {root.ValueKind}");
                }
            }
        }
    }

    static void FromJson(FeedRun run, long line, string key, JsonElement o)
    {
        var rec = new ThreatFoxRecord { IocId = key };
        foreach (var p in o.EnumerateObject())
        {
            if (p.Value.ValueKind == JsonValueKind.Array)
            {
                // Tags sometimes come as an array of strings.
                rec.Set(p.Name, string.Join(',', p.Value.EnumerateArray().Select(JsonValues.Scalar).Where(s => s is not null)));
            }
            else
            {
                rec.Set(p.Name, JsonValues.Scalar(p.Value));
            }
        }
        rec.IocId ??= key;
        Finish(run, line, o.GetRawText(), rec);
    }

    static void Finish(FeedRun run, long line, string raw, ThreatFoxRecord rec)
    {
        var e = run.NewEvent(raw);
        run.EmitOrReject(e, TryBuild(e, rec, out var error), line, raw, error);
    }

    /// <summary>threat_type to classification.type; IntelMQ's mapping for the two network kinds.</summary>
    internal static string ClassificationOf(string? threatType) => threatType switch
    {
        "botnet_cc" => "c2-server",
        "payload_delivery" => "malware-distribution",
        // A payload hash names a malware sample: the closest RSIT type in malicious-code.
        "payload" => "malware-distribution",
        _ => "undetermined",
    };

    static bool TryBuild(Event e, ThreatFoxRecord r, out string? error)
    {
        FeedRun.Classify(e, ClassificationOf(r.ThreatType));
        if (r.IocValue is null)
        {
            error = "ioc_value missing";
            return false;
        }
        switch (r.IocType)
        {
            case "ip:port":
                if (!TrySetIpPort(e, r.IocValue, out error))
                {
                    return false;
                }
                break;
            case "domain":
                if (!FeedRun.TrySet(e, Fields.SourceFqdn, r.IocValue, out error))
                {
                    return false;
                }
                break;
            case "url":
                if (!UrlHost.TrySetUrl(e, r.IocValue, Fields.SourceUrl, Fields.SourceIp, Fields.SourceFqdn, Fields.SourcePort, out error))
                {
                    return false;
                }
                break;
            case "md5_hash":
                if (!TrySetHash(e, "malware.hash.md5", r.IocValue, 32, out error))
                {
                    return false;
                }
                break;
            case "sha1_hash":
                if (!TrySetHash(e, "malware.hash.sha1", r.IocValue, 40, out error))
                {
                    return false;
                }
                break;
            case "sha256_hash":
                if (!TrySetHash(e, "malware.hash.sha256", r.IocValue, 64, out error))
                {
                    return false;
                }
                break;
            default:
                error = $"unsupported ioc_type '{FieldParsers.Truncate(r.IocType ?? string.Empty)}'";
                return false;
        }
        if (r.FirstSeen is not null && !FeedRun.TrySet(e, Fields.TimeSource, StripUtc(r.FirstSeen), out error))
        {
            return false;
        }
        if (r.MalwarePrintable is { } printable && !printable.Equals("Unknown malware", StringComparison.OrdinalIgnoreCase))
        {
            FeedRun.SetOptional(e, Fields.MalwareName, printable);
        }
        FeedRun.SetExtraInteger(e, "extra.ioc_id", r.IocId);
        FeedRun.SetExtraText(e, "extra.threat_type", r.ThreatType);
        FeedRun.SetExtraText(e, "extra.malware", r.Malware);
        FeedRun.SetExtraText(e, "extra.malware_alias", r.MalwareAlias);
        FeedRun.SetExtraText(e, "extra.last_seen", r.LastSeen is null ? null : StripUtc(r.LastSeen));
        FeedRun.SetExtraInteger(e, "extra.confidence_level", r.Confidence);
        FeedRun.SetExtraText(e, "extra.reference", r.Reference);
        FeedRun.SetExtraText(e, "extra.tags", r.Tags);
        FeedRun.SetExtraInteger(e, "extra.anonymous", r.Anonymous);
        FeedRun.SetExtraText(e, "extra.reporter", r.Reporter);
        error = null;
        return true;
    }

    static string StripUtc(string s) => s.EndsWith(" UTC", StringComparison.Ordinal) ? s[..^4] : s;

    static bool TrySetIpPort(Event e, string value, out string? error)
    {
        var s = value.AsSpan().Trim();
        ReadOnlySpan<char> host = s, port = default;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf("]:", StringComparison.Ordinal);
            if (close > 0)
            {
                host = s[1..close];
                port = s[(close + 2)..];
            }
        }
        else if (s.IndexOf(':') is var colon and >= 0 && s.LastIndexOf(':') == colon)
        {
            host = s[..colon];
            port = s[(colon + 1)..];
        }
        if (!NetAddress.TryParse(host, out var ip))
        {
            error = $"invalid ip:port '{FieldParsers.Truncate(value)}'";
            return false;
        }
        e.Set(Fields.SourceIp, ip);
        if (!port.IsEmpty)
        {
            if (!FieldParsers.TryParsePort(port, out var p))
            {
                error = $"invalid port in '{FieldParsers.Truncate(value)}'";
                return false;
            }
            e.Set(Fields.SourcePort, p);
        }
        error = null;
        return true;
    }

    static bool TrySetHash(Event e, string field, string value, int hexLength, out string? error)
    {
        var s = value.AsSpan().Trim();
        if (s.Length != hexLength || s.ContainsAnyExcept(s_hex))
        {
            error = $"invalid {field}: '{FieldParsers.Truncate(value)}'";
            return false;
        }
        e.Set(field, s.ToString().ToLowerInvariant());
        error = null;
        return true;
    }

    /// <summary>One IOC, whichever form it came in.</summary>
    sealed class ThreatFoxRecord
    {
        public string? IocId { get; set; }
        public string? IocValue { get; set; }
        public string? IocType { get; set; }
        public string? ThreatType { get; set; }
        public string? Malware { get; set; }
        public string? MalwareAlias { get; set; }
        public string? MalwarePrintable { get; set; }
        public string? FirstSeen { get; set; }
        public string? LastSeen { get; set; }
        public string? Confidence { get; set; }
        public string? Reference { get; set; }
        public string? Tags { get; set; }
        public string? Anonymous { get; set; }
        public string? Reporter { get; set; }

        public void Set(string column, ReadOnlySpan<char> value)
        {
            value = value.Trim();
            if (value.IsEmpty || value.SequenceEqual("None") || value.SequenceEqual("null"))
            {
                return;
            }
            var s = value.ToString();
            switch (column)
            {
                case "ioc_id" or "id": IocId = s; break;
                case "ioc_value" or "ioc": IocValue = s; break;
                case "ioc_type": IocType = s.ToLowerInvariant(); break;
                case "threat_type": ThreatType = s.ToLowerInvariant(); break;
                case "fk_malware" or "malware": Malware = s; break;
                case "malware_alias": MalwareAlias = s; break;
                case "malware_printable": MalwarePrintable = s; break;
                case "first_seen_utc" or "first_seen": FirstSeen = s; break;
                case "last_seen_utc" or "last_seen": LastSeen = s; break;
                case "confidence_level": Confidence = s; break;
                case "reference": Reference = s; break;
                case "tags": Tags = s; break;
                case "anonymous": Anonymous = s; break;
                case "reporter": Reporter = s; break;
                default: break;
            }
        }
    }
}
