using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Core.Taxonomy;

namespace Belfry.Feeds.Text;

/// <summary>The feed.* fields a parser stamps on its events, as IntelMQ's feed list names them.</summary>
public sealed record FeedInfo(string Name, string? Provider, string? Url);

/// <summary>
/// State of one <see cref="IFeedParser.Parse"/> call: builds events with the common fields
/// (id, raw, feed.*, time.observation, TLP) and sends rejections with file and line.
/// </summary>
internal sealed class FeedRun(FeedInfo feed, FeedContext context, IFeedSink sink)
{
    readonly DateTime _observation = ToUtc(context.ObservationTime);

    public FeedInfo Feed { get; set; } = feed;

    public FeedContext Context => context;

    public IFeedSink Sink => sink;

    public long Accepted { get; private set; }

    public long Rejected { get; private set; }

    public static DateTime ToUtc(DateTime t) => t.Kind switch
    {
        DateTimeKind.Local => t.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(t, DateTimeKind.Utc),
        _ => t,
    };

    /// <summary>A new event for one record: id from feed name and raw text, feed.*, time.observation, TLP.</summary>
    public Event NewEvent(string raw, int capacity = 16)
    {
        var e = new Event(capacity)
        {
            Raw = raw,
            Id = EventId.Compute(Feed.Name, raw),
            Tlp = context.Tlp,
        };
        e.Set(Fields.FeedName, Feed.Name);
        if (Feed.Provider is not null)
        {
            e.Set(Fields.FeedProvider, Feed.Provider);
        }
        if (Feed.Url is not null)
        {
            e.Set(Fields.FeedUrl, Feed.Url);
        }
        e.Set(Fields.TimeObservation, _observation);
        return e;
    }

    /// <summary>Sets classification.type and, from RSIT, classification.taxonomy.</summary>
    public static void Classify(Event e, string type)
    {
        e.Set(Fields.ClassificationType, type);
        if (Rsit.TryGetTaxonomy(type, out var taxonomy))
        {
            e.Set(Fields.ClassificationTaxonomy, taxonomy);
        }
    }

    public void Emit(Event e)
    {
        Accepted++;
        sink.OnEvent(e);
    }

    /// <summary>Emits <paramref name="e"/> when its builder succeeded, else rejects its record with the builder's reason.</summary>
    public void EmitOrReject(Event e, bool built, long line, ReadOnlySpan<char> raw, string? error)
    {
        if (built)
        {
            Emit(e);
        }
        else
        {
            Reject(line, raw, error ?? "invalid record");
        }
    }

    public void Reject(long line, ReadOnlySpan<char> raw, string reason)
    {
        Rejected++;
        sink.OnRejected(new Rejection(Feed.Name, context.FileName, line, raw.ToString(), reason));
    }

    public void RejectTooLong(long line, ReadOnlySpan<char> head) =>
        Reject(line, head, $"record longer than {FeedLimits.MaxRecordChars} characters");

    /// <summary>Sets a field through the IntelMQ value rules; false (with the reason) when the value is invalid.</summary>
    public static bool TrySet(Event e, string name, ReadOnlySpan<char> text, out string? error)
    {
        if (!FieldParsers.TryParseField(name, text, out var v, out error))
        {
            return false;
        }
        e.Set(name, v);
        return true;
    }

    /// <summary>Sets the field when the text is not empty and valid; an invalid optional value is dropped, not fatal.</summary>
    public static void SetOptional(Event e, string name, ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (!text.IsEmpty && FieldParsers.TryParseField(name, text, out var v, out _))
        {
            e.Set(name, v);
        }
    }

    /// <summary>Sets an extra.* text value when not empty.</summary>
    public static void SetExtraText(Event e, string name, ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (!text.IsEmpty)
        {
            e.Set(name, text.ToString());
        }
    }

    /// <summary>Sets an extra.* integer value when the text is one, otherwise as text.</summary>
    public static void SetExtraInteger(Event e, string name, ReadOnlySpan<char> text)
    {
        text = text.Trim();
        if (text.IsEmpty)
        {
            return;
        }
        if (FieldParsers.TryParseInteger(text, out var n))
        {
            e.Set(name, n);
        }
        else
        {
            e.Set(name, text.ToString());
        }
    }

    /// <summary>Sets source.network; false when the text is not a CIDR prefix.</summary>
    public static bool TrySetNetwork(Event e, string name, ReadOnlySpan<char> text)
    {
        if (!NetPrefix.TryParse(text, out var p))
        {
            return false;
        }
        e.Set(name, FieldValue.Of(p));
        return true;
    }
}
