using System.Text;
using Belfry.Core.Events;
using static Belfry.Notify.Tests.TestData;

namespace Belfry.Notify.Tests;

public sealed class EventCsvTests
{
    static string Write(params Event[] events)
    {
        using var w = new StringWriter();
        EventCsv.Write(w, events);
        return w.ToString();
    }

    [Fact]
    public void Write_SpecialCharacters_QuotedPerRfc4180()
    {
        var e = Make("o1", "192.0.2.1", "vulnerable-system", "open-rdp", extra: [("extra.tag", "a,\"b\"")]);

        var lines = Write(e).Split("\r\n");

        Assert.EndsWith(",feed.name,extra.organisation,extra.tag", lines[0]);
        Assert.EndsWith(",test-feed,o1,\"a,\"\"b\"\"\"", lines[1]);
        Assert.Equal("", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void Write_FormulaLikeText_PrefixedWithApostrophe()
    {
        var e = Make("o1", "192.0.2.1", "vulnerable-system", "open-rdp", extra: [("extra.a", "+1"), ("extra.b", "@SUM(A1)"), ("extra.c", "plain")]);

        var line = Write(e).Split("\r\n")[1];

        Assert.EndsWith(",'+1,'@SUM(A1),plain,o1", line);
    }

    [Fact]
    public void ToUtf8_NonAscii_Utf8WithoutBom()
    {
        var e = Make("o1", "192.0.2.1", "vulnerable-system", "open-rdp", extra: [("extra.city", "Liège")]);

        var bytes = EventCsv.ToUtf8([e]);

        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Contains("Liège", Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void ColumnsFor_NoExtras_OnlyTheFifteenFixedColumns()
    {
        var e = new Event();
        e.Set(Fields.SourceIp, "192.0.2.1");

        Assert.Equal(15, EventCsv.ColumnsFor([e]).Count);
    }
}
