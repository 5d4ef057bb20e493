using Belfry.Core.Events;

namespace Belfry.Core.Tests.Events;

public sealed class EventPoolTests
{
    static readonly string[] s_long = [Fields.FeedName, Fields.SourcePort, Fields.SourceFqdn, Fields.ClassificationType, null!, null!];
    static readonly string[] s_short = [Fields.FeedName, Fields.ClassificationType, null!, null!];

    [Fact]
    public void Rent_AfterReturn_ReusesEventWithoutPreviousFields()
    {
        var pool = new EventPool();
        var first = pool.Rent(s_long, [FieldValue.Of("a"), FieldValue.Of(443), FieldValue.Of("x.example"), FieldValue.Of("scanner")], 8);
        first.Id = new EventId(42);
        first.Raw = "raw";
        first.Organisation = "org";
        first.Tlp = Tlp.Red;
        first.Append(Fields.ExtraOrganisation, FieldValue.Of("org")); // an expert's field, past the layout
        pool.Return(first);

        var second = pool.Rent(s_short, [FieldValue.Of("b"), FieldValue.Of("vulnerable-system")], 8);

        Assert.Same(first, second);
        Assert.Equal(2, second.Count);
        Assert.Equal("b", second.FeedName);
        Assert.Equal("vulnerable-system", second.ClassificationType);
        Assert.False(second.Contains(Fields.SourcePort));
        Assert.False(second.Contains(Fields.SourceFqdn));
        Assert.False(second.Contains(Fields.ExtraOrganisation));
        Assert.Equal(default, second.Id);
        Assert.Null(second.Raw);
        Assert.Null(second.Organisation);
        Assert.Equal(Tlp.Amber, second.Tlp);
        // The slots past the new fields hold nothing of the previous record.
        for (var i = second.Count; i < 5; i++)
        {
            second.Append("extra.slot" + i, default);
            Assert.Equal(FieldKind.None, second.ValueAt(i).Kind);
        }
    }

    [Fact]
    public void Rent_SharedNames_ExpertsAppendLikeParserEvents()
    {
        var pool = new EventPool();
        var a = pool.Rent(s_short, [FieldValue.Of("f"), FieldValue.Of("scanner")], 4);
        var b = pool.Rent(s_short, [FieldValue.Of("g"), FieldValue.Of("scanner")], 4);
        a.Append(Fields.ExtraOrganisation, FieldValue.Of("o1"));
        b.Append(Fields.ExtraOrganisation, FieldValue.Of("o2"));

        Assert.Same(a.LayoutKey, b.LayoutKey);
        Assert.Equal("o1", a.GetText(Fields.ExtraOrganisation));
        Assert.Equal("o2", b.GetText(Fields.ExtraOrganisation));
    }

    [Fact]
    public void Return_Twice_Throws()
    {
        var pool = new EventPool();
        var e = pool.Rent(s_short, [FieldValue.Of("f")], 4);
        pool.Return(e);
        Assert.Throws<InvalidOperationException>(() => pool.Return(e));
    }

    [Fact]
    public void Return_PastBound_LeavesEventToGc()
    {
        var pool = new EventPool(maxPooled: 1);
        pool.Return(pool.Rent(s_short, [], 4));
        pool.Return(new Event(s_short, new FieldValue[4], 0));
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void RentForFill_AfterReturn_GivesEmptySlotsAndAFreshEvent()
    {
        var pool = new EventPool();
        var first = pool.Rent(s_long, [FieldValue.Of("a"), FieldValue.Of(443), FieldValue.Of("x.example"), FieldValue.Of("scanner")], 8);
        first.Raw = "raw";
        first.Organisation = "org";
        first.Tlp = Tlp.Red;
        pool.Return(first);

        var second = pool.RentForFill(8, out var values);
        Assert.Same(first, second);
        Assert.True(values.Length >= 8);
        Assert.All(values, v => Assert.Equal(FieldKind.None, v.Kind));
        values[0] = FieldValue.Of("b");
        values[1] = FieldValue.Of("vulnerable-system");
        second.EndFill(s_short, 2);

        Assert.Equal(2, second.Count);
        Assert.Equal("b", second.FeedName);
        Assert.Equal("vulnerable-system", second.ClassificationType);
        Assert.False(second.HasRaw);
        Assert.Null(second.Organisation);
        Assert.Equal(Tlp.Amber, second.Tlp);
        Assert.Throws<ArgumentOutOfRangeException>(() => second.EndFill(s_short, 5));
    }
}
