using Belfry.Core.Events;

namespace Belfry.Core.Tests.Events;

public class FieldValueSliceTests
{
    const string Row = "\"2026-11-30 05:58:04\",\"198.18.93.66\",21,\"high\"";

    [Fact]
    public void OfSlice_TextTextSpanToString_Agree()
    {
        var v = FieldValue.OfSlice(Row, 41, 4);
        Assert.Equal(FieldKind.Text, v.Kind);
        Assert.Equal("high", v.Text);
        Assert.Equal("high", v.TextSpan.ToString());
        Assert.Equal("high", v.ToString());
    }

    [Fact]
    public void OfSlice_EqualsWholeString_SameHash()
    {
        var slice = FieldValue.OfSlice(Row, 41, 4);
        var whole = FieldValue.Of("high");
        Assert.Equal(whole, slice);
        Assert.Equal(slice, whole);
        Assert.Equal(whole.GetHashCode(), slice.GetHashCode());
        Assert.NotEqual(FieldValue.Of("low"), slice);
    }

    [Fact]
    public void OfSlice_WholeSource_IsThePlainString()
    {
        var v = FieldValue.OfSlice("abc", 0, 3);
        Assert.Same("abc", v.Text);
    }

    [Theory]
    [InlineData(-1, 2)]
    [InlineData(2, 3)]
    [InlineData(0, 4)]
    public void OfSlice_OutOfRange_Throws(int start, int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => FieldValue.OfSlice("abc", start, length));

    [Fact]
    public void SharedNames_AppendSameName_StaysShared_OtherNameCopies()
    {
        var names = new string[] { Fields.SourceIp, Fields.FeedName, null!, null! };
        var a = new Event(names, [FieldValue.Of("1"), FieldValue.Of("f"), default], 2);
        var b = new Event(names, [FieldValue.Of("2"), FieldValue.Of("g")], 2);
        var c = new Event(names, [FieldValue.Of("3"), FieldValue.Of("h")], 2);
        a.Append(Fields.ExtraOrganisation, FieldValue.Of("org-a"));
        b.Set(Fields.ExtraOrganisation, "org-b");
        c.Set(Fields.ClassificationTaxonomy, "other");
        Assert.Same(names, a.LayoutKey);
        Assert.Same(names, b.LayoutKey);
        Assert.Null(c.LayoutKey);
        Assert.Equal(Fields.ExtraOrganisation, names[2]);
        Assert.Equal("org-a", a.GetText(Fields.ExtraOrganisation));
        Assert.Equal("org-b", b.GetText(Fields.ExtraOrganisation));
        Assert.Equal("other", c.GetText(Fields.ClassificationTaxonomy));
        Assert.False(c.Contains(Fields.ExtraOrganisation));
        Assert.True(b.Remove(Fields.SourceIp));
        Assert.Equal(Fields.FeedName, b.NameAt(0));
        Assert.Equal(Fields.SourceIp, names[0]);
        Assert.Equal("1", a.GetText(Fields.SourceIp));
    }
}
