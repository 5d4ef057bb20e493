using Belfry.Core.Net;

namespace Belfry.Core.Constituency;

/// <summary>NIS2 entity class (Directive (EU) 2022/2555, Art. 3).</summary>
public enum EntityClass
{
    None,
    Important,
    Essential,
}

public enum Language
{
    En,
    Nl,
    Fr,
    De,
}

public static class LanguageCodes
{
    public static string Code(this Language l) => l switch
    {
        Language.Nl => "nl",
        Language.Fr => "fr",
        Language.De => "de",
        _ => "en",
    };

    public static bool TryParse(string? s, out Language language)
    {
        language = (s ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "en" => Language.En,
            "nl" => Language.Nl,
            "fr" => Language.Fr,
            "de" => Language.De,
            _ => (Language)(-1),
        };
        return language >= Language.En;
    }
}

public sealed record Contact(string Email, string Role = "security", string? Name = null);

/// <summary>
/// A registered organisation of the constituency and what it owns on the Internet.
/// <see cref="Id"/> is its normalized enterprise number.
/// </summary>
public sealed record Organisation
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string Sector { get; init; } = Sectors.Other;
    public EntityClass EntityClass { get; init; }
    public Language Language { get; init; } = Language.En;
    public IReadOnlyList<Contact> Contacts { get; init; } = [];
    public IReadOnlyList<NetPrefix> Prefixes { get; init; } = [];
    public IReadOnlyList<long> Asns { get; init; } = [];
    public IReadOnlyList<string> Domains { get; init; } = [];
}
