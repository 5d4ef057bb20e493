using System.Globalization;
using System.Text;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// The row loop converts common columns in line (ColumnOp.Fast) and the rest through the general
/// conversion. The general one alone is the reference: on every report type, with cells replaced by
/// empty, "nothing" and invalid values, both ways must give the same events and rejections.
/// </summary>
public sealed class ShadowserverFastPathTests
{
    static readonly NetPrefix[] s_pools = [NetPrefix.Parse("193.190.0.0/15"), NetPrefix.Parse("2001:6a8::/32")];

    // Values that each mean something different to some conversion or kind.
    static readonly string[] s_mutations =
    [
        "", "0", "00", "unknown", "UNKNOWN", " padded ", "Mixed.Case.Example", "host.example.", "be", "BE", "B3",
        "65536", "4294967296", "-5", "7.5", "0.0.0.0", "::", "not-an-ip", "2001:db8::1", "AS123", "\"a\"\"b\"",
        "2026-11-30 10:00:00", "Mon, 30 Nov 2026 10:00:00 GMT", "yesterday", "tcp;cve-2021-44228;CVE-2020-0001",
    ];

    public static TheoryData<string> ReportTypes() => ShadowserverAllReportsTests.ReportTypes();

    [Theory]
    [MemberData(nameof(ReportTypes))]
    public void Parse_MutatedReport_FastPathsGiveTheSameEventsAsTheGeneralConversion(string reportType)
    {
        var generator = new ShadowserverReportGenerator(ShadowserverTestData.Schema);
        var fileName = generator.FileNameFor(reportType, new DateOnly(2026, 11, 30));
        var w = new StringWriter();
        generator.Write(w, reportType, 120, s_pools, new DateOnly(2026, 11, 30), seed: 7);
        var text = Mutate(w.ToString(), new Random(reportType.GetHashCode(StringComparison.Ordinal)));

        foreach (var pooled in new[] { false, true })
        {
            var fast = Parse(text, fileName, fastPaths: true, pooled);
            var general = Parse(text, fileName, fastPaths: false, pooled);

            Assert.Equal(Describe(general.Rejections), Describe(fast.Rejections));
            Assert.Equal(general.Events.Count, fast.Events.Count);
            for (var i = 0; i < general.Events.Count; i++)
            {
                Assert.Equal(Describe(general.Events[i]), Describe(fast.Events[i]));
            }
        }
    }

    static CollectingSink Parse(string text, string fileName, bool fastPaths, bool pooled)
    {
        var sink = new KeepingSink();
        var parser = new ShadowserverParser(ShadowserverTestData.Schema) { FastPaths = fastPaths };
        parser.Parse(new StringReader(text), new FeedContext { FileName = fileName, ObservationTime = ShadowserverTestData.Observation, EventPool = pooled ? new EventPool() : null }, sink);
        return sink.Collected;
    }

    /// <summary>Keeps events as text right away: pooled events are never returned here, but described at once anyway.</summary>
    sealed class KeepingSink : IFeedSink
    {
        public CollectingSink Collected { get; } = new();

        public void OnEvent(Event e) => Collected.Events.Add(e);

        public void OnRejected(Rejection rejection) => Collected.Rejections.Add(rejection);
    }

    /// <summary>Replaces about one cell in six (never in the header) with one of <see cref="s_mutations"/>.</summary>
    static string Mutate(string csv, Random random)
    {
        var lines = csv.Split('\n');
        var sb = new StringBuilder();
        for (var l = 0; l < lines.Length; l++)
        {
            if (l > 0 && lines[l].Length > 0)
            {
                var cells = SplitCsv(lines[l]);
                for (var c = 0; c < cells.Count; c++)
                {
                    if (random.Next(6) == 0)
                    {
                        cells[c] = s_mutations[random.Next(s_mutations.Length)];
                    }
                }
                lines[l] = string.Join(',', cells);
            }
            sb.Append(lines[l]);
            if (l < lines.Length - 1)
            {
                sb.Append('\n');
            }
        }
        return sb.ToString();
    }

    /// <summary>Cells as written (quotes kept), split on the commas outside quotes.</summary>
    static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var inQuotes = false;
        var start = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '"')
            {
                inQuotes = !inQuotes;
            }
            else if (line[i] == ',' && !inQuotes)
            {
                cells.Add(line[start..i]);
                start = i + 1;
            }
        }
        cells.Add(line[start..]);
        return cells;
    }

    static string Describe(Event e)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < e.Count; i++)
        {
            var v = e.ValueAt(i);
            sb.Append(CultureInfo.InvariantCulture, $"{e.NameAt(i)}={v.Kind}:{v}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"raw={e.Raw}\nid={e.Id.Value}");
        return sb.ToString();
    }

    static List<string> Describe(List<Rejection> rejections) =>
        rejections.ConvertAll(r => string.Create(CultureInfo.InvariantCulture, $"{r.Line}: {r.Reason}"));
}
