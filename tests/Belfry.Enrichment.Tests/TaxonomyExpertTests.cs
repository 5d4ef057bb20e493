using Belfry.Core.Events;

namespace Belfry.Enrichment.Tests;

public sealed class TaxonomyExpertTests
{
    static Event WithType(string? type)
    {
        var e = new Event();
        if (type is not null)
        {
            e.Set(Fields.ClassificationType, type);
        }
        return e;
    }

    [Theory]
    [InlineData("phishing", "fraud")]
    [InlineData("infected-system", "malicious-code")]
    [InlineData("scanner", "information-gathering")]
    [InlineData("ddos-amplifier", "vulnerable")]
    [InlineData("brute-force", "intrusion-attempts")]
    [InlineData("spam", "abusive-content")]
    [InlineData("blacklist", "other")]
    public void Process_KnownType_SetsTaxonomy(string type, string taxonomy)
    {
        var e = WithType(type);

        new TaxonomyExpert().Process([e]);

        Assert.Equal(taxonomy, e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal(type, e.GetText(Fields.ClassificationType));
    }

    [Fact]
    public void Process_TypeMissing_SetsUndeterminedAndOther()
    {
        var e = WithType(null);
        var expert = new TaxonomyExpert();

        expert.Process([e]);

        Assert.Equal("undetermined", e.GetText(Fields.ClassificationType));
        Assert.Equal("other", e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal(1, expert.Defaulted);
    }

    [Fact]
    public void Process_UpperCaseType_IsLowerCased()
    {
        var e = WithType(" Phishing ");

        new TaxonomyExpert().Process([e]);

        Assert.Equal("phishing", e.GetText(Fields.ClassificationType));
        Assert.Equal("fraud", e.GetText(Fields.ClassificationTaxonomy));
    }

    [Fact]
    public void Process_WrongTaxonomy_IsCorrected()
    {
        var e = WithType("c2-server");
        e.Set(Fields.ClassificationTaxonomy, "Fraud");
        var expert = new TaxonomyExpert();

        expert.Process([e]);

        Assert.Equal("malicious-code", e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal(1, expert.Matched);
    }

    [Fact]
    public void Process_UnknownType_GetsOtherAndIsCounted()
    {
        var e = WithType("made-up-type");
        var expert = new TaxonomyExpert();

        expert.Process([e]);

        Assert.Equal("other", e.GetText(Fields.ClassificationTaxonomy));
        Assert.Equal(1, expert.UnknownType);
    }

    [Fact]
    public void Process_AlreadyCorrect_IsNotCountedAsFilled()
    {
        var e = WithType("phishing");
        e.Set(Fields.ClassificationTaxonomy, "fraud");
        var expert = new TaxonomyExpert();

        expert.Process([e]);

        Assert.Equal(1, expert.Processed);
        Assert.Equal(0, expert.Matched);
    }
}
