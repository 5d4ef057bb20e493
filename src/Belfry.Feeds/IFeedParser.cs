using Belfry.Core.Events;

namespace Belfry.Feeds;

/// <summary>
/// What a parser is told about its input. Parsers are pure: the clock (observation time) and the
/// file name come in here, never from the environment.
/// </summary>
public sealed record FeedContext
{
    /// <summary>File name (not path) as received, used to recognise report types.</summary>
    public string? FileName { get; init; }

    /// <summary>When Belfry received the data; becomes time.observation.</summary>
    public required DateTime ObservationTime { get; init; }

    /// <summary>Explicit feed or report type (belfry ingest --feed), overriding detection.</summary>
    public string? Feed { get; init; }

    /// <summary>TLP given to the events of this input.</summary>
    public Tlp Tlp { get; init; } = Tlp.Amber;

    /// <summary>
    /// Where a parser that supports it takes its events from (null: new events). Only for a sink that
    /// returns each event to the pool once nothing references it (a pipeline that encodes and drops
    /// its events); parsers that do not support it ignore it.
    /// </summary>
    public EventPool? EventPool { get; init; }
}

/// <summary>A record a parser could not turn into an event, with where and why.</summary>
public sealed record Rejection(string Feed, string? File, long Line, string Raw, string Reason);

/// <summary>Receives a parser's output, in input order.</summary>
public interface IFeedSink
{
    void OnEvent(Event e);

    void OnRejected(Rejection rejection);
}

/// <summary>The first bytes of an input and its name: enough for a parser to say "this is mine".</summary>
public sealed record FeedProbe(string? FileName, string Head);

/// <summary>
/// Turns one feed format into IntelMQ-format events. Implementations are stateless and
/// thread-safe; one <see cref="Parse"/> call reads one input to its end.
/// </summary>
public interface IFeedParser
{
    /// <summary>Stable name, as used by <c>belfry ingest --feed NAME</c>.</summary>
    string Name { get; }

    /// <summary>One line for help texts and "no known format" errors.</summary>
    string Description { get; }

    /// <summary>Whether the input looks like this format (by name and first bytes).</summary>
    bool CanParse(FeedProbe probe);

    /// <summary>Parses the whole input. Bad records go to <see cref="IFeedSink.OnRejected"/>; only an unreadable input throws <see cref="FeedFormatException"/>.</summary>
    void Parse(TextReader input, FeedContext context, IFeedSink sink, CancellationToken cancellationToken = default);
}

/// <summary>The input as a whole is not in the expected format (not a single bad row).</summary>
public sealed class FeedFormatException : Exception
{
    public FeedFormatException(string message)
        : base(message)
    {
    }

    public FeedFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public FeedFormatException()
    {
    }
}
