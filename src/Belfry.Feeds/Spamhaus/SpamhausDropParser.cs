using Belfry.Core.Events;
using Belfry.Feeds.Text;

namespace Belfry.Feeds.Spamhaus;

/// <summary>Which Spamhaus "Don't Route Or Peer" list an input is: it names the feed.</summary>
public enum SpamhausList
{
    /// <summary>DROP (drop.txt, dropv6.txt, drop_v4.json, drop_v6.json): hijacked and criminal netblocks.</summary>
    Drop,

    /// <summary>EDROP (edrop.txt): the extension of DROP, merged into DROP by Spamhaus in 2024.</summary>
    Edrop,

    /// <summary>ASN-DROP (asndrop.txt, asndrop.json): autonomous systems run by criminals.</summary>
    AsnDrop,
}

/// <summary>
/// Spamhaus DROP, EDROP and ASN-DROP (https://www.spamhaus.org/drop/), in the text form
/// (<c>prefix ; SBLnnn</c> or <c>AS64496 ; CC | AS name</c> lines, <c>;</c> comments whose
/// "Last-Modified:" becomes time.source, as IntelMQ's SpamhausDropParserBot does) and in the JSON-lines
/// form (one object per line, a trailing <c>{"type":"metadata","timestamp":...}</c> line whose
/// timestamp becomes time.source; events are held back until it is read). Every record is a
/// "spam" classification, as IntelMQ classifies all three lists.
/// </summary>
public sealed class SpamhausDropParser(SpamhausList list) : IFeedParser
{
    /// <summary>Records held back waiting for the JSON-lines metadata; past this they go out without time.source.</summary>
    public const int MaxHeldRecords = 100_000;

    public SpamhausList List => list;

    public string Name => list switch
    {
        SpamhausList.Edrop => "spamhaus-edrop",
        SpamhausList.AsnDrop => "spamhaus-asndrop",
        _ => "spamhaus-drop",
    };

    public string Description => list switch
    {
        SpamhausList.Edrop => "Spamhaus EDROP (edrop.txt)",
        SpamhausList.AsnDrop => "Spamhaus ASN-DROP (asndrop.txt, asndrop.json)",
        _ => "Spamhaus DROP (drop.txt, dropv6.txt, drop_v4.json, drop_v6.json)",
    };

    public bool CanParse(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var name = Path.GetFileName(probe.FileName ?? string.Empty).ToLowerInvariant();
        if (name.Length > 0 && (name.EndsWith(".txt", StringComparison.Ordinal) || name.EndsWith(".json", StringComparison.Ordinal) || !name.Contains('.', StringComparison.Ordinal)))
        {
            var byName = name.StartsWith("asndrop", StringComparison.Ordinal) ? SpamhausList.AsnDrop
                : name.StartsWith("edrop", StringComparison.Ordinal) ? SpamhausList.Edrop
                : name.StartsWith("drop", StringComparison.Ordinal) ? SpamhausList.Drop
                : (SpamhausList?)null;
            if (byName is not null)
            {
                return byName == list;
            }
        }
        return Sniff(probe.Head) == list;
    }

    /// <summary>Which list the first bytes look like, if any.</summary>
    internal static SpamhausList? Sniff(string head)
    {
        var h = head.AsSpan().TrimStart("\uFEFF \t\r\n");
        if (h.StartsWith(";"))
        {
            if (head.Contains("ASN-DROP", StringComparison.OrdinalIgnoreCase))
            {
                return SpamhausList.AsnDrop;
            }
            if (head.Contains("Spamhaus EDROP", StringComparison.OrdinalIgnoreCase))
            {
                return SpamhausList.Edrop;
            }
            if (head.Contains("Spamhaus", StringComparison.OrdinalIgnoreCase) && head.Contains("DROP", StringComparison.OrdinalIgnoreCase))
            {
                return SpamhausList.Drop;
            }
            return null;
        }
        if (h.StartsWith("{"))
        {
            if (head.Contains("\"sblid\"", StringComparison.Ordinal) && head.Contains("\"cidr\"", StringComparison.Ordinal))
            {
                return SpamhausList.Drop;
            }
            if (head.Contains("\"asname\"", StringComparison.Ordinal) && head.Contains("\"asn\"", StringComparison.Ordinal))
            {
                return SpamhausList.AsnDrop;
            }
        }
        return null;
    }

    FeedInfo FeedFor(string? fileName)
    {
        var name = Path.GetFileName(fileName ?? string.Empty).ToLowerInvariant();
        return list switch
        {
            SpamhausList.Edrop => new("Spamhaus edrop feed", "Spamhaus", "https://www.spamhaus.org/drop/edrop.txt"),
            SpamhausList.AsnDrop => new("Spamhaus asndrop feed", "Spamhaus",
                name.EndsWith(".json", StringComparison.Ordinal) ? "https://www.spamhaus.org/drop/asndrop.json" : "https://www.spamhaus.org/drop/asndrop.txt"),
            _ => new("Spamhaus drop feed", "Spamhaus", name switch
            {
                "dropv6.txt" => "https://www.spamhaus.org/drop/dropv6.txt",
                "drop_v4.json" => "https://www.spamhaus.org/drop/drop_v4.json",
                "drop_v6.json" => "https://www.spamhaus.org/drop/drop_v6.json",
                _ => "https://www.spamhaus.org/drop/drop.txt",
            }),
        };
    }

    public void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sink);
        var run = new FeedRun(FeedFor(context.FileName), context, sink);
        using var lines = new LineReader(input);
        DateTime? modified = null;
        List<object>? held = null; // JSON-lines output waiting for the metadata line
        var overflowed = false;
        while (lines.TryReadLine(out var line, out var tooLong))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tooLong)
            {
                Reject(run, held, lines.LineNumber, line, $"record longer than {FeedLimits.MaxRecordChars} characters");
                continue;
            }
            var t = line.Trim();
            if (t.IsEmpty)
            {
                continue;
            }
            if (t[0] == ';')
            {
                var lm = t.IndexOf("Last-Modified:", StringComparison.OrdinalIgnoreCase);
                if (lm >= 0 && FieldParsers.TryParseTime(t[(lm + "Last-Modified:".Length)..], out var time))
                {
                    modified = time;
                }
                continue;
            }
            var raw = line.ToString();
            if (t[0] == '{')
            {
                if (!overflowed)
                {
                    held ??= new List<object>();
                }
                var e = run.NewEvent(raw);
                var kind = FromJsonLine(e, raw, out var metadataTime, out var error);
                if (kind == JsonLine.Metadata)
                {
                    modified = metadataTime ?? modified;
                }
                else if (kind == JsonLine.Record)
                {
                    Add(run, held, e);
                }
                else
                {
                    Reject(run, held, lines.LineNumber, raw, error!);
                }
                if (held is not null && held.Count > MaxHeldRecords)
                {
                    Flush(run, held, modified);
                    held = null;
                    overflowed = true;
                }
                continue;
            }
            var ev = run.NewEvent(raw);
            if (FromTextLine(ev, t, out var reason))
            {
                if (modified is { } m)
                {
                    ev.Set(Fields.TimeSource, m);
                }
                Add(run, held, ev);
            }
            else
            {
                Reject(run, held, lines.LineNumber, raw, reason!);
            }
        }
        if (held is not null)
        {
            Flush(run, held, modified);
        }
    }

    static void Add(FeedRun run, List<object>? held, Event e)
    {
        if (held is null)
        {
            run.Emit(e);
        }
        else
        {
            held.Add(e);
        }
    }

    static void Reject(FeedRun run, List<object>? held, long line, ReadOnlySpan<char> raw, string reason)
    {
        if (held is null)
        {
            run.Reject(line, raw, reason);
        }
        else
        {
            held.Add(new Rejection(run.Feed.Name, run.Context.FileName, line, raw.ToString(), reason));
        }
    }

    static void Flush(FeedRun run, List<object> held, DateTime? time)
    {
        foreach (var o in held)
        {
            if (o is Event e)
            {
                if (time is { } t && !e.Contains(Fields.TimeSource))
                {
                    e.Set(Fields.TimeSource, t);
                }
                run.Emit(e);
            }
            else if (o is Rejection r)
            {
                run.Reject(r.Line, r.Raw, r.Reason);
            }
        }
    }

    /// <summary><c>1.4.0.0/17 ; SBL256893</c> or <c>AS64496 ; NL | EXAMPLE-AS</c>.</summary>
    static bool FromTextLine(Event e, ReadOnlySpan<char> line, out string? error)
    {
        var semi = line.IndexOf(';');
        var left = (semi < 0 ? line : line[..semi]).Trim();
        var right = semi < 0 ? default : line[(semi + 1)..].Trim();
        FeedRun.Classify(e, "spam");
        if (left.StartsWith("AS", StringComparison.OrdinalIgnoreCase))
        {
            if (!FeedRun.TrySet(e, Fields.SourceAsn, left, out error))
            {
                return false;
            }
            var bar = right.IndexOf('|');
            FeedRun.SetOptional(e, Fields.SourceCc, bar < 0 ? right : right[..bar]);
            if (bar >= 0)
            {
                FeedRun.SetExtraText(e, Fields.SourceAsName, right[(bar + 1)..]);
            }
            return true;
        }
        if (!FeedRun.TrySetNetwork(e, Fields.SourceNetwork, left))
        {
            error = $"invalid source.network: '{FieldParsers.Truncate(left)}'";
            return false;
        }
        FeedRun.SetExtraText(e, "extra.blocklist", right);
        error = null;
        return true;
    }

    enum JsonLine
    {
        Record,
        Metadata,
        Bad,
    }

    static JsonLine FromJsonLine(Event e, string raw, out DateTime? metadataTime, out string? error)
    {
        metadataTime = null;
        if (!JsonValues.TryParseObject(raw, out var doc, out error))
        {
            return JsonLine.Bad;
        }
        using (doc)
        {
            var o = doc!.RootElement;
            if (JsonValues.Scalar(o, "type") == "metadata")
            {
                if (JsonValues.Scalar(o, "timestamp") is { } ts && FieldParsers.TryParseTime(ts, out var t))
                {
                    metadataTime = t;
                }
                return JsonLine.Metadata;
            }
            FeedRun.Classify(e, "spam");
            if (JsonValues.Scalar(o, "cidr") is { } cidr)
            {
                if (!FeedRun.TrySetNetwork(e, Fields.SourceNetwork, cidr))
                {
                    error = $"invalid source.network: '{FieldParsers.Truncate(cidr)}'";
                    return JsonLine.Bad;
                }
                FeedRun.SetExtraText(e, "extra.blocklist", JsonValues.Scalar(o, "sblid"));
            }
            else if (JsonValues.Scalar(o, "asn") is { } asn)
            {
                if (!FeedRun.TrySet(e, Fields.SourceAsn, asn, out error))
                {
                    return JsonLine.Bad;
                }
                FeedRun.SetOptional(e, Fields.SourceCc, JsonValues.Scalar(o, "cc"));
                FeedRun.SetExtraText(e, Fields.SourceAsName, JsonValues.Scalar(o, "asname"));
                FeedRun.SetExtraText(e, "extra.domain", JsonValues.Scalar(o, "domain"));
            }
            else
            {
                error = "neither cidr nor asn in the record";
                return JsonLine.Bad;
            }
            FeedRun.SetExtraText(e, "extra.rir", JsonValues.Scalar(o, "rir"));
            return JsonLine.Record;
        }
    }
}
