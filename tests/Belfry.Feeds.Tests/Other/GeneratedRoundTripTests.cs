using System.Text;
using System.Globalization;
using Belfry.Core.Events;
using Belfry.Feeds.AbuseCh;
using Belfry.Feeds.Generation;
using Belfry.Feeds.IntelMq;
using Belfry.Feeds.OpenPhish;
using Belfry.Feeds.Spamhaus;
using static Belfry.Feeds.Tests.Other.OtherTestKit;

namespace Belfry.Feeds.Tests.Other;

public sealed class GeneratedRoundTripTests
{
    const int Seed = 23768213;

    [Fact]
    public void WriteThenParse_RandomEvents_EqualEvents()
    {
        var gen = new FeedTextGenerator(Seed);
        var events = Enumerable.Range(0, 300).Select(_ => gen.IntelMqEvent()).ToList();
        using var stream = new MemoryStream();
        foreach (var e in events)
        {
            IntelMqJsonWriter.WriteLine(e, stream);
        }

        // Given CLEAR, the lowest marking: each event's own TLP (which can only raise it) comes back.
        var back = Run(new IntelMqJsonReader(), Encoding.UTF8.GetString(stream.ToArray()), tlp: Tlp.Clear).Events;

        Assert.Equal(events.Count, back.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var (a, b) = (events[i], back[i]);
            Assert.True(a.Id == b.Id, $"seed {Seed}, event {i}: id");
            Assert.Equal(a.Raw, b.Raw);
            Assert.Equal(a.Tlp, b.Tlp);
            // The organisation is never read from the input: the constituency decides it again.
            Assert.Null(b.Organisation);
            Assert.Equal(a.Count, b.Count);
            foreach (var (name, value) in a.Items)
            {
                Assert.True(b.TryGet(name, out var other) && value == other, $"seed {Seed}, event {i}: {name} {value} != {other}");
            }
        }
    }

    [Fact]
    public void Parse_GeneratedDropList_AllNetworksInOrder()
    {
        var modified = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var text = new FeedTextGenerator(Seed).DropText(500, modified, out var networks);

        var sink = Run(new SpamhausDropParser(SpamhausList.Drop), text);

        Assert.Empty(sink.Rejections);
        Assert.Equal(networks.Select(n => n.ToString()), sink.Events.Select(e => Field(e, Fields.SourceNetwork)));
        Assert.All(sink.Events, e => Assert.Equal(modified, e.GetTime(Fields.TimeSource)));
    }

    [Fact]
    public void Parse_GeneratedPhishingUrls_OneEventEach()
    {
        var urls = new FeedTextGenerator(Seed).PhishingUrls(500);

        var sink = Run(new OpenPhishParser(), string.Join('\n', urls));

        Assert.Empty(sink.Rejections);
        Assert.Equal(urls, sink.Events.Select(e => Field(e, Fields.SourceUrl)));
        Assert.Equal(urls.Count, sink.Events.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void Parse_GeneratedFeodoCsv_AllEntriesInOrder()
    {
        var updated = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        var text = new FeedTextGenerator(Seed).FeodoCsvText(500, updated, out var entries);

        var sink = Run(new FeodoTrackerCsvParser(), text);

        Assert.Empty(sink.Rejections);
        Assert.Equal(entries.Count, sink.Events.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (c2, e) = (entries[i], sink.Events[i]);
            Assert.Equal(c2.Ip.ToString(), Field(e, Fields.SourceIp));
            Assert.Equal(c2.Port.ToString(CultureInfo.InvariantCulture), Field(e, Fields.SourcePort));
            Assert.Equal(c2.FirstSeenUtc, e.GetTime(Fields.TimeSource));
            Assert.Equal(c2.Status, Field(e, "status"));
            Assert.Equal(c2.Malware.ToLowerInvariant(), Field(e, Fields.MalwareName));
            Assert.Equal(c2.LastOnline?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), e.GetText("extra.last_online"));
        }
    }
}
