using System.Text.Json;
using System.Text.Json.Serialization;
using Belfry.Core.Net;

namespace Belfry.Core.Constituency;

/// <summary>JSON form of an organisation, shared by storage and the CLI's import/export.</summary>
public static class OrganisationJson
{
    public sealed record ContactDto(string Email, string? Role, string? Name);

    public sealed record OrganisationDto(
        string Id,
        string Name,
        string? Sector,
        string? EntityClass,
        string? Language,
        IReadOnlyList<ContactDto>? Contacts,
        IReadOnlyList<string>? Prefixes,
        IReadOnlyList<long>? Asns,
        IReadOnlyList<string>? Domains);

    public static OrganisationDto ToDto(Organisation o) => new(
        o.Id,
        o.Name,
        o.Sector,
        o.EntityClass.ToString().ToLowerInvariant(),
        o.Language.Code(),
        [.. o.Contacts.Select(c => new ContactDto(c.Email, c.Role, c.Name))],
        [.. o.Prefixes.Select(p => p.ToString())],
        [.. o.Asns],
        [.. o.Domains]);

    /// <summary>Validates a DTO into an organisation; every problem is listed, none thrown.</summary>
    public static bool TryFromDto(OrganisationDto d, out Organisation organisation, out List<string> errors)
    {
        errors = [];
        organisation = null!;
        if (!EnterpriseNumber.TryNormalize(d.Id ?? string.Empty, out var id))
        {
            errors.Add($"invalid enterprise number '{d.Id}' (10 digits starting 0 or 1, mod-97 check)");
        }
        if (string.IsNullOrWhiteSpace(d.Name))
        {
            errors.Add("name is empty");
        }
        var sector = string.IsNullOrWhiteSpace(d.Sector) ? Sectors.Other : d.Sector.Trim().ToLowerInvariant();
        if (!Sectors.TryGet(sector, out _))
        {
            errors.Add($"unknown sector '{d.Sector}' (one of: {string.Join(", ", Sectors.All.Select(s => s.Code))})");
        }
        var entityClass = EntityClass.None;
        if (!string.IsNullOrWhiteSpace(d.EntityClass) && !Enum.TryParse(d.EntityClass, ignoreCase: true, out entityClass))
        {
            errors.Add($"unknown entity class '{d.EntityClass}' (essential, important, none)");
        }
        var language = Language.En;
        if (!string.IsNullOrWhiteSpace(d.Language) && !LanguageCodes.TryParse(d.Language, out language))
        {
            errors.Add($"unknown language '{d.Language}' (nl, fr, de, en)");
        }
        var contacts = new List<Contact>();
        foreach (var c in d.Contacts ?? [])
        {
            if (string.IsNullOrWhiteSpace(c.Email) || !System.Net.Mail.MailAddress.TryCreate(c.Email.Trim(), out _))
            {
                errors.Add($"invalid contact e-mail '{c.Email}'");
                continue;
            }
            contacts.Add(new Contact(c.Email.Trim(), string.IsNullOrWhiteSpace(c.Role) ? "security" : c.Role.Trim().ToLowerInvariant(), c.Name));
        }
        var prefixes = new List<NetPrefix>();
        foreach (var p in d.Prefixes ?? [])
        {
            if (NetPrefix.TryParse(p, out var prefix))
            {
                prefixes.Add(prefix);
            }
            else
            {
                errors.Add($"invalid prefix '{p}'");
            }
        }
        foreach (var a in d.Asns ?? [])
        {
            if (a is <= 0 or > uint.MaxValue)
            {
                errors.Add($"invalid AS number {a}");
            }
        }
        var domains = new List<string>();
        foreach (var dom in d.Domains ?? [])
        {
            if (Belfry.Core.Events.FieldParsers.TryParseFqdn(dom, out var fqdn))
            {
                domains.Add(fqdn);
            }
            else
            {
                errors.Add($"invalid domain '{dom}'");
            }
        }
        if (errors.Count > 0)
        {
            return false;
        }
        organisation = new Organisation
        {
            Id = id,
            Name = d.Name.Trim(),
            Sector = sector,
            EntityClass = entityClass,
            Language = language,
            Contacts = contacts,
            Prefixes = prefixes,
            Asns = [.. (d.Asns ?? []).Distinct()],
            Domains = domains,
        };
        return true;
    }

    public static string Serialize(Organisation o) => JsonSerializer.Serialize(ToDto(o), OrganisationJsonContext.Default.OrganisationDto);

    public static Organisation Deserialize(string json)
    {
        var dto = JsonSerializer.Deserialize(json, OrganisationJsonContext.Default.OrganisationDto)
            ?? throw new FormatException("empty organisation record");
        return TryFromDto(dto, out var o, out var errors)
            ? o
            : throw new FormatException($"organisation {dto.Id} is invalid: {string.Join("; ", errors)}");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(OrganisationJson.OrganisationDto))]
[JsonSerializable(typeof(List<OrganisationJson.OrganisationDto>))]
public sealed partial class OrganisationJsonContext : JsonSerializerContext
{
}
