using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Storage.Tests;

public class EventCodecTests
{
    static Event Sample()
    {
        var e = new Event();
        e.Set(Fields.FeedName, "Accessible-HTTP");
        e.Set(Fields.TimeSource, new DateTime(2026, 11, 30, 0, 0, 1, DateTimeKind.Utc));
        e.Set(Fields.TimeObservation, new DateTime(2026, 11, 30, 0, 0, 1, DateTimeKind.Utc).AddTicks(12345));
        e.Set(Fields.SourceIp, NetAddress.Parse("192.0.2.1"));
        e.Set("destination.ip", NetAddress.Parse("2001:db8::1"));
        e.Set(Fields.SourceNetwork, FieldValue.Of(NetPrefix.Parse("198.51.100.0/24")));
        e.Set("destination.network", FieldValue.Of(NetPrefix.Parse("2001:db8::/32")));
        e.Set("extra.negative", -1234567890123L);
        e.Set("extra.min", long.MinValue);
        e.Set("extra.max", long.MaxValue);
        e.Set("extra.ratio", FieldValue.Of(-0.25));
        e.Set("extra.open", FieldValue.Of(true));
        e.Set("extra.closed", FieldValue.Of(false));
        e.Set("extra.unicode", "café ☕ " + new string('x', 200));
        e.Set("extra.empty", string.Empty);
        e.Set(Fields.ClassificationType, "vulnerable-system");
        return e;
    }

    static void AssertSameFields(Event expected, Event actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.NameAt(i), actual.NameAt(i));
            Assert.Equal(expected.ValueAt(i), actual.ValueAt(i));
        }
    }

    [Fact]
    public void TryDecode_WithoutSymbols_RoundTripsEveryKind()
    {
        var e = Sample();
        var back = new Event();
        Assert.True(EventCodec.TryDecode(EventCodec.Encode(e), back));
        AssertSameFields(e, back);
    }

    [Fact]
    public void TryDecode_WithSymbols_RoundTripsAndIsSmaller()
    {
        var e = Sample();
        var symbols = new SymbolTable();
        var inline = EventCodec.Encode(e);
        EventCodec.Encode(e, symbols);
        var bytes = EventCodec.Encode(e, symbols);
        var back = new Event();
        Assert.True(EventCodec.TryDecode(bytes, back, symbols));
        AssertSameFields(e, back);
        Assert.True(bytes.Length * 3 < inline.Length * 2, $"{bytes.Length} vs {inline.Length}");
        Assert.False(EventCodec.TryDecode(bytes, new Event()), "symbols are needed to decode");
    }

    [Fact]
    public void Encode_SymbolTableFull_FallsBackToInlineNames()
    {
        var symbols = new SymbolTable(capacity: 3);
        var e = Sample();
        var bytes = EventCodec.Encode(e, symbols);
        Assert.Equal(3, symbols.Count);
        var back = new Event();
        Assert.True(EventCodec.TryDecode(bytes, back, symbols));
        AssertSameFields(e, back);
    }

    [Fact]
    public void DiscardPending_ForgetsUnstoredSymbols()
    {
        var symbols = new SymbolTable();
        Assert.True(symbols.TryGetOrAdd("a", out var a));
        symbols.MarkPersisted();
        Assert.True(symbols.TryGetOrAdd("b", out var b));
        symbols.DiscardPending();
        Assert.Equal(1, symbols.Count);
        Assert.True(symbols.TryGetSymbol(a, out _));
        Assert.False(symbols.TryGetSymbol(b, out _));
        Assert.True(symbols.TryGetOrAdd("c", out var c));
        Assert.Equal(b, c);
    }

    [Fact]
    public void TryDecode_TruncatedOrCorrupt_ReturnsFalseWithoutThrowing()
    {
        var symbols = new SymbolTable();
        var bytes = EventCodec.Encode(Sample(), symbols);
        for (var n = 0; n < bytes.Length; n++)
        {
            Assert.False(EventCodec.TryDecode(bytes.AsSpan(0, n), new Event(), symbols), $"length {n}");
        }
        var rng = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[rng.Next(copy.Length)] = (byte)rng.Next(256);
            EventCodec.TryDecode(copy, new Event(), symbols);
        }
    }
}
