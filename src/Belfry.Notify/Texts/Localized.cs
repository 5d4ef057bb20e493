using Belfry.Core.Constituency;

namespace Belfry.Notify.Texts;

/// <summary>One text in the four languages of the constituency.</summary>
internal sealed record Localized(string En, string Nl, string Fr, string De)
{
    public string Get(Language language) => language switch
    {
        Language.Nl => Nl,
        Language.Fr => Fr,
        Language.De => De,
        _ => En,
    };
}

/// <summary>A count with its noun in singular or plural ("1 problem", "3 problems").</summary>
internal sealed record LocalizedCount(Localized One, Localized Many)
{
    public string Format(Language language, int count) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, (count == 1 ? One : Many).Get(language), count);
}
