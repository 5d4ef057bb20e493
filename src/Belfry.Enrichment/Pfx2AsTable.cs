using System.Globalization;
using System.IO.Compression;
using Belfry.Core.Net;

namespace Belfry.Enrichment;

/// <summary>
/// IP-to-AS table from CAIDA's RouteViews prefix-to-AS files (pfx2as, IPv4 and IPv6):
/// one "prefix TAB length TAB asn" line per routed prefix. A multi-origin AS ("701_702") or an
/// AS set ("{64512,64513}") keeps its first AS. Bad lines are skipped and counted.
/// </summary>
public sealed class Pfx2AsTable : IAsnLookup
{
    readonly PrefixMap<long> _map;

    Pfx2AsTable(PrefixMap<long> map, int prefixes, int badLines)
    {
        _map = map;
        PrefixCount = prefixes;
        BadLines = badLines;
    }

    public int PrefixCount { get; }
    public int BadLines { get; }
    public int RangeCount => _map.RangeCount;

    public bool TryLookup(NetAddress address, out AsnInfo info)
    {
        if (_map.TryLookup(address, out var asn))
        {
            info = new AsnInfo(asn);
            return true;
        }
        info = default;
        return false;
    }

    /// <summary>Loads one or more pfx2as files (".gz" files are decompressed), e.g. the IPv4 and the IPv6 file.</summary>
    public static Pfx2AsTable Load(params IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var builder = new Builder();
        foreach (var path in paths)
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream);
            builder.Add(reader);
        }
        return builder.Build();
    }

    public static Pfx2AsTable Load(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var builder = new Builder();
        builder.Add(reader);
        return builder.Build();
    }

    /// <summary>Parses one pfx2as line.</summary>
    public static bool TryParseLine(ReadOnlySpan<char> line, out NetPrefix prefix, out long asn)
    {
        prefix = default;
        asn = 0;
        Span<Range> parts = stackalloc Range[4];
        line = line.Trim();
        if (line.SplitAny(parts, "\t ", StringSplitOptions.RemoveEmptyEntries) != 3)
        {
            return false;
        }
        if (!NetAddress.TryParse(line[parts[0]], out var address) ||
            !int.TryParse(line[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var length) ||
            length > (address.IsV4 ? 32 : 128) ||
            !TryParseOrigin(line[parts[2]], out asn))
        {
            return false;
        }
        prefix = new NetPrefix(address, length);
        return true;
    }

    /// <summary>The first AS of an origin field: "64500", "701_702" (multi-origin) or "{64512,64513}" (AS set).</summary>
    public static bool TryParseOrigin(ReadOnlySpan<char> s, out long asn)
    {
        s = s.TrimStart('{');
        var end = s.IndexOfAny('_', ',', '}');
        if (end >= 0)
        {
            s = s[..end];
        }
        return long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out asn) && asn is > 0 and <= uint.MaxValue;
    }

    sealed class Builder
    {
        readonly List<(NetPrefix, long)> _entries = [];
        int _bad;

        public void Add(TextReader reader)
        {
            while (reader.ReadLine() is { } line)
            {
                var span = line.AsSpan().Trim();
                if (span.IsEmpty || span[0] == '#')
                {
                    continue;
                }
                if (TryParseLine(span, out var prefix, out var asn))
                {
                    _entries.Add((prefix, asn));
                }
                else
                {
                    _bad++;
                }
            }
        }

        public Pfx2AsTable Build() => new(PrefixMap<long>.Build(_entries), _entries.Count, _bad);
    }
}
