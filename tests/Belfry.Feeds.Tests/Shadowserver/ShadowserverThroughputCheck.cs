using System.Diagnostics;
using System.Globalization;
using Belfry.Core.Events;
using Belfry.Core.Net;
using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

/// <summary>
/// Throughput check, not a timed test: run on demand in Release
/// (<c>dotnet test -c Release --project tests/Belfry.Feeds.Tests -- --filter-class *ShadowserverThroughputCheck --explicit only</c>)
/// and read the rows/s it prints. It asserts only correctness.
/// </summary>
public class ShadowserverThroughputCheck
{
    sealed class CountingSink : IFeedSink
    {
        public long Events;
        public long Rejected;
        public long Checksum;

        public void OnEvent(Event e)
        {
            Events++;
            Checksum += e.Count;
        }

        public void OnRejected(Rejection rejection) => Rejected++;
    }

    [Fact(Explicit = true)]
    public void GenerateAndParse_ScanHttpMillionRows_PrintsRowsPerSecond()
    {
        const int rows = 1_000_000;
        var path = Path.Combine(Path.GetTempPath(), $"belfry-scan_http-{Environment.ProcessId}.csv");
        try
        {
            var schema = ShadowserverTestData.Schema;
            var sw = Stopwatch.StartNew();
            using (var w = new StreamWriter(path, false, new System.Text.UTF8Encoding(false), 1 << 16))
            {
                new ShadowserverReportGenerator(schema).Write(w, "scan_http", rows, [NetPrefix.Parse("193.190.0.0/15")], new DateOnly(2026, 11, 30), 1);
            }
            var gen = sw.Elapsed;
            var parser = new ShadowserverParser(schema);
            var context = new FeedContext { FileName = "2026-11-30-scan_http-belgium-geo.csv", ObservationTime = DateTime.UtcNow };
            TimeSpan best = TimeSpan.MaxValue;
            CountingSink? sink = null;
            for (var run = 0; run < 3; run++)
            {
                sink = new CountingSink();
                using var r = new StreamReader(path, System.Text.Encoding.UTF8, false, 1 << 16);
                sw.Restart();
                parser.Parse(r, context, sink);
                best = sw.Elapsed < best ? sw.Elapsed : best;
            }
            var line = string.Create(CultureInfo.InvariantCulture,
                $"scan_http {rows:N0} rows, {new FileInfo(path).Length / 1e6:F0} MB: generate {gen.TotalSeconds:F2} s ({rows / gen.TotalSeconds:N0} rows/s); parse best {best.TotalSeconds:F2} s ({rows / best.TotalSeconds:N0} rows/s), {sink!.Checksum / (double)rows:F1} fields/event");
            TestContext.Current.SendDiagnosticMessage(line);
            Console.WriteLine(line);
            File.AppendAllText(Path.Combine(Path.GetTempPath(), "belfry-shadowserver-throughput.txt"), line + "\n");
            Assert.Equal(rows, sink.Events);
            Assert.Equal(0, sink.Rejected);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
