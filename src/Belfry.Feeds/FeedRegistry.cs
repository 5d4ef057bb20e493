using Belfry.Feeds.AbuseCh;
using Belfry.Feeds.DShield;
using Belfry.Feeds.IntelMq;
using Belfry.Feeds.OpenPhish;
using Belfry.Feeds.Spamhaus;

namespace Belfry.Feeds;

/// <summary>
/// The feed parsers a host knows, found by name (<c>belfry ingest --feed NAME</c>, with aliases such
/// as "feodotracker" or "spamhaus-drop") or detected from an input's file name and first characters.
/// The host passes in the parsers that need configuration (the Shadowserver one with its schema,
/// generic CSV feeds with their mappings) together with <see cref="BuiltInParsers"/>.
/// </summary>
public sealed class FeedRegistry
{
    /// <summary>
    /// A file is binary only when more than this share of its head is not text (NUL and other control
    /// characters, undecodable bytes). A text feed with one row of control bytes is still a text
    /// feed: that row is quarantined on its own, and the valid rows are kept.
    /// </summary>
    const double MaxNonTextShare = 0.5;

    static readonly Dictionary<string, string> s_aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["feodotracker"] = FeodoTrackerJsonParser.ParserName,
        ["feodo"] = FeodoTrackerJsonParser.ParserName,
        ["feodotracker-json"] = FeodoTrackerJsonParser.ParserName,
        ["abusech-feodotracker-json"] = FeodoTrackerJsonParser.ParserName,
        ["feodotracker-ips"] = FeodoTrackerTextParser.ParserName,
        ["feodotracker-txt"] = FeodoTrackerTextParser.ParserName,
        ["feodo-txt"] = FeodoTrackerTextParser.ParserName,
        ["feodotracker-csv"] = FeodoTrackerCsvParser.ParserName,
        ["feodo-csv"] = FeodoTrackerCsvParser.ParserName,
        ["urlhaus"] = UrlhausCsvParser.ParserName,
        ["threatfox"] = ThreatFoxParser.ParserName,
        ["spamhaus"] = "spamhaus-drop",
        ["drop"] = "spamhaus-drop",
        ["spamhaus-dropv6"] = "spamhaus-drop",
        ["edrop"] = "spamhaus-edrop",
        ["asndrop"] = "spamhaus-asndrop",
        ["asn-drop"] = "spamhaus-asndrop",
        ["spamhaus-asn-drop"] = "spamhaus-asndrop",
        ["dshield"] = DShieldBlockParser.ParserName,
        ["dshield-blocklist"] = DShieldBlockParser.ParserName,
        ["intelmq"] = IntelMqJsonReader.ParserName,
        ["intelmq-json"] = IntelMqJsonReader.ParserName,
    };

    readonly IFeedParser[] _parsers;
    readonly Dictionary<string, IFeedParser> _byName = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="parsers">All parsers, in detection order: the most specific first.</param>
    public FeedRegistry(IEnumerable<IFeedParser> parsers)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        _parsers = [.. parsers];
        foreach (var p in _parsers)
        {
            if (!_byName.TryAdd(Normalise(p.Name), p))
            {
                throw new ArgumentException($"Two feed parsers are named '{p.Name}'.", nameof(parsers));
            }
        }
    }

    /// <summary>The parsers that need no configuration, in a detection order where each comes before the broader ones.</summary>
    public static IReadOnlyList<IFeedParser> BuiltInParsers() =>
    [
        new FeodoTrackerJsonParser(),
        new FeodoTrackerCsvParser(),
        new ThreatFoxParser(),
        new UrlhausCsvParser(),
        new FeodoTrackerTextParser(),
        new SpamhausDropParser(SpamhausList.AsnDrop),
        new SpamhausDropParser(SpamhausList.Edrop),
        new SpamhausDropParser(SpamhausList.Drop),
        new DShieldBlockParser(),
        new IntelMqJsonReader(),
        new OpenPhishParser(),
    ];

    public IReadOnlyList<IFeedParser> Parsers => _parsers;

    /// <summary>Parser names, for help texts.</summary>
    public IReadOnlyList<string> Names => [.. _parsers.Select(p => p.Name)];

    /// <summary>Alias to parser name, for help texts.</summary>
    public static IReadOnlyDictionary<string, string> Aliases => s_aliases;

    static string Normalise(string name) => name.Trim().Replace('_', '-').Replace(' ', '-');

    public bool TryGet(string name, out IFeedParser parser)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Normalise(name);
        if (_byName.TryGetValue(key, out parser!))
        {
            return true;
        }
        return s_aliases.TryGetValue(key, out var target) && _byName.TryGetValue(target, out parser!);
    }

    /// <summary>The parser called <paramref name="name"/> (case-insensitive, aliases too).</summary>
    public IFeedParser Get(string name) =>
        TryGet(name, out var p) ? p : throw new FeedFormatException($"Unknown feed '{name}'; known feeds: {string.Join(", ", Names)}.");

    /// <summary>
    /// The parser for an input: a parser that claims the file name and recognises the content wins;
    /// then one that recognises the content (a DROP list saved as "ipblocklist.txt" is a DROP list);
    /// then one that claims the name alone (formats with no content signature, such as generic CSV). Binary data and
    /// unknown formats throw <see cref="FeedFormatException"/> naming the file and the known formats.
    /// </summary>
    public IFeedParser Detect(FeedProbe probe)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var file = probe.FileName ?? "(stdin)";
        if (LooksBinary(probe.Head))
        {
            throw new FeedFormatException($"File '{file}' is binary data, not a text feed (most of its first {probe.Head.Length} characters are control characters or undecodable bytes); expected one of: {Expected()}.");
        }
        IFeedParser? byNameOnly = null;
        var contentOnly = probe with { FileName = null };
        if (!string.IsNullOrEmpty(probe.FileName))
        {
            var nameOnly = probe with { Head = string.Empty };
            foreach (var p in _parsers)
            {
                if (p.CanParse(nameOnly))
                {
                    if (string.IsNullOrWhiteSpace(probe.Head) || p.CanParse(contentOnly))
                    {
                        return p;
                    }
                    byNameOnly ??= p;
                }
            }
        }
        foreach (var p in _parsers)
        {
            if (p.CanParse(contentOnly))
            {
                return p;
            }
        }
        return byNameOnly ?? throw new FeedFormatException($"File '{file}' matches no known feed format; expected one of: {Expected()}.");
    }

    string Expected() => string.Join(", ", _parsers.Select(p => p.Description));

    /// <summary>True when most of the text is not text: NUL and other control characters (but tab, CR, LF, FF) and undecodable bytes (U+FFFD).</summary>
    public static bool LooksBinary(string head)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (head.Length == 0)
        {
            return false;
        }
        var nonText = 0;
        foreach (var c in head)
        {
            if ((c < ' ' && c is not ('\t' or '\r' or '\n' or '\f')) || c == '\uFFFD')
            {
                nonText++;
            }
        }
        return nonText > head.Length * MaxNonTextShare;
    }
}
