using Belfry.Core.Events;

namespace Belfry.Core.Tests.Events;

public sealed class TextChunkWriterTests
{
    [Fact]
    public void Append_ManyRecords_EachSliceReadsBackItsRecordAfterLaterAppends()
    {
        var writer = new TextChunkWriter(chunkChars: 64);
        var records = new List<(string Text, string Source, int Start)>();
        for (var i = 0; i < 200; i++)
        {
            var text = new string((char)('a' + (i % 26)), i % 13) + i;
            var source = writer.Append(text, out var start);
            records.Add((text, source, start));
        }
        // Later records must not have overwritten earlier ones: a chunk's characters are written once.
        foreach (var (text, source, start) in records)
        {
            Assert.Equal(text, source.AsSpan(start, text.Length).ToString());
        }
        Assert.True(records.Select(r => r.Source).Distinct(ReferenceEqualityComparer.Instance).Count() > 1, "records spread over several chunks");
        Assert.True(records.Select(r => r.Source).Distinct(ReferenceEqualityComparer.Instance).Count() < 100, "chunks are shared by records");
    }

    [Fact]
    public void Append_RecordLongerThanAQuarterChunk_GetsItsOwnString()
    {
        var writer = new TextChunkWriter(chunkChars: 64);
        var small = writer.Append("abc", out var smallStart);
        var big = writer.Append(new string('x', 17), out var bigStart);

        Assert.Equal(0, bigStart);
        Assert.Equal(new string('x', 17), big);
        Assert.NotSame(small, big);
        Assert.Equal("abc", small.AsSpan(smallStart, 3).ToString());
    }

    [Fact]
    public void Event_RawSlice_ReadsAsTheRecordEverywhere()
    {
        var writer = new TextChunkWriter(chunkChars: 64);
        writer.Append("first,row", out _);
        var source = writer.Append("second,row", out var start);
        var e = new Event();

        e.SetRaw(source, start, "second,row".Length);

        Assert.True(e.HasRaw);
        Assert.Equal("second,row", e.Raw);
        Assert.Equal("second,row", e.RawSpan.ToString());
        e.Raw = null;
        Assert.False(e.HasRaw);
        Assert.True(e.RawSpan.IsEmpty);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.SetRaw(source, start, source.Length));
    }

    [Fact]
    public void EventPool_Return_DropsValuesAndRawSoTheirChunksCanBeCollected()
    {
        var pool = new EventPool();
        var weak = RentFillAndReturn(pool);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive, "a pooled event must not keep its last record's text alive");
        Assert.Equal(1, pool.Count);
    }

    // Its own frame, so that no local of the test keeps the chunk alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static WeakReference RentFillAndReturn(EventPool pool)
    {
        var chunk = new TextChunkWriter(chunkChars: 64).Append("row,text", out var start);
        var e = pool.Rent([Fields.FeedName, null!], [FieldValue.OfSlice(chunk, start, 3)], 4);
        e.SetRaw(chunk, start, 8);
        pool.Return(e);
        return new WeakReference(chunk);
    }
}
