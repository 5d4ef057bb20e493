using Belfry.Core.Events;

namespace Belfry.Core.Tests.Events;

/// <summary>Events whose raw record and values are slices of a longer text (a reader's buffer).</summary>
public sealed class EventRawSliceTests
{
    [Fact]
    public void Event_RawSlice_ReadsAsTheRecordEverywhere()
    {
        var source = "first,row\nsecond,row\n";
        var start = source.IndexOf("second", StringComparison.Ordinal);
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
        var chunk = new string('x', 3) + "row,text"; // made at run time, so collectable
        var start = 3;
        var e = pool.Rent([Fields.FeedName, null!], [FieldValue.OfSlice(chunk, start, 3)], 4);
        e.SetRaw(chunk, start, 8);
        pool.Return(e);
        return new WeakReference(chunk);
    }
}
