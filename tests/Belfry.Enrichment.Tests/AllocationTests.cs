using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests;

/// <summary>The experts run on the ingest hot path: the common path must not allocate per event.</summary>
public sealed class AllocationTests
{
    const int Events = 5000;

    static List<Event> MakeBatch(int seed)
    {
        var batch = new List<Event>(Events);
        var t0 = new DateTime(2025, 3, 1, 0, 0, 0, DateTimeKind.Utc);
        for (var i = 0; i < Events; i++)
        {
            var e = new Event();
            e.Set(Fields.FeedName, "scanners");
            e.Set(Fields.ClassificationType, i % 2 == 0 ? "scanner" : "infected-system");
            e.Set(Fields.SourceIp, NetAddress.FromV4(0xC6336400u + (uint)((i + seed) % 512)));
            e.Set(Fields.SourcePort, 1000 + i);
            e.Set(Fields.SourceFqdn, i % 3 == 0 ? "www.example.be" : "other.nl");
            e.Set(Fields.TimeSource, t0.AddSeconds(i));
            batch.Add(e);
        }
        return batch;
    }

    [Fact]
    public void Process_CommonPath_AllocatesNothingPerEvent()
    {
        var index = new ConstituencyIndex(
        [
            new Organisation { Id = "0200000001", Name = "A", Prefixes = [NetPrefix.Parse("198.51.100.0/24")] },
            new Organisation { Id = "0200000002", Name = "B", Domains = ["example.be"] },
        ]);
        var asn = Pfx2AsTable.Load(new StringReader("198.51.0.0\t16\t64500\n"));
        IEventExpert[] experts =
        [
            new TaxonomyExpert(),
            new AsnLookupExpert(asn),
            new ConstituencyExpert(index),
            new DeduplicatorExpert(new DedupOptions { MaxEntries = 4 * Events }),
        ];
        foreach (var expert in experts)
        {
            expert.Process(MakeBatch(seed: 7)); // warm up (JIT, lazy statics)
        }
        var batch = MakeBatch(seed: 0);

        var report = new System.Text.StringBuilder(256);
        long total = 0;
        // No collection while measuring: a GC set off by another test's thread retires this thread's
        // allocation context, and that was once counted as ~8 KB "allocated" by whichever expert ran.
        var noGc = GC.TryStartNoGCRegion(64 * 1024 * 1024);
        try
        {
            foreach (var expert in experts)
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                expert.Process(batch);
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                total += allocated;
                report.Append(expert.Name).Append('=').Append(allocated).Append(' ');
            }
        }
        finally
        {
            if (noGc && System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        Assert.Equal(Events, batch.Count);
        Assert.True(total < Events / 4, $"bytes for {Events} events: {report}");
    }
}
