using System.Globalization;
using nietras.SeparatedValues;

namespace Belfry.Core.Constituency;

/// <summary>
/// CSV form of the constituency, one organisation per row. Lists inside a cell are separated by
/// spaces or ';'; a contact is "email" or "email:role".
/// Columns: id, name, sector, entity_class, language, contacts, prefixes, asns, domains.
/// </summary>
public static class OrganisationCsv
{
    public static readonly string[] Columns = ["id", "name", "sector", "entity_class", "language", "contacts", "prefixes", "asns", "domains"];

    static readonly string[] s_required = ["id", "name"];

    public sealed record RowError(long Line, string Raw, string Reason);

    /// <summary>Reads every valid row; each bad row is reported with its line and reasons, never thrown.</summary>
    public static (List<Organisation> Organisations, List<RowError> Errors) Read(TextReader input)
    {
        var orgs = new List<Organisation>();
        var errors = new List<RowError>();
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, DisableColCountCheck = true, Trim = SepTrim.All }).From(input);
        var header = reader.Header;
        var missing = s_required.Where(c => !header.ColNames.Contains(c, StringComparer.OrdinalIgnoreCase)).ToList();
        if (missing.Count > 0)
        {
            throw new FormatException($"organisation CSV: missing column(s) {string.Join(", ", missing)}; expected {string.Join(",", Columns)}");
        }
        var index = header.ColNames.Select((n, i) => (n.Trim().ToLowerInvariant(), i)).ToDictionary(x => x.Item1, x => x.i);
        foreach (var row in reader)
        {
            var cells = new string[row.ColCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = row[c].ToString();
            }
            string? Get(string col) => index.TryGetValue(col, out var i) && i < cells.Length ? cells[i] : null;
            static IReadOnlyList<string> Split(string? s) =>
                string.IsNullOrWhiteSpace(s) ? [] : s.Split([' ', ';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            var asnErrors = new List<string>();
            var asns = new List<long>();
            foreach (var a in Split(Get("asns")))
            {
                var t = a.StartsWith("AS", StringComparison.OrdinalIgnoreCase) ? a[2..] : a;
                if (long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    asns.Add(n);
                }
                else
                {
                    asnErrors.Add($"invalid AS number '{a}'");
                }
            }
            var contacts = Split(Get("contacts")).Select(c =>
            {
                var colon = c.LastIndexOf(':');
                return colon > 0 ? new OrganisationJson.ContactDto(c[..colon], c[(colon + 1)..], null) : new OrganisationJson.ContactDto(c, null, null);
            }).ToList();
            var dto = new OrganisationJson.OrganisationDto(
                Get("id") ?? string.Empty,
                Get("name") ?? string.Empty,
                Get("sector"),
                Get("entity_class"),
                Get("language"),
                contacts,
                [.. Split(Get("prefixes"))],
                asns,
                [.. Split(Get("domains"))]);
            if (OrganisationJson.TryFromDto(dto, out var org, out var errs) && asnErrors.Count == 0)
            {
                orgs.Add(org);
            }
            else
            {
                errors.Add(new RowError(row.LineNumberFrom, row.Span.ToString(), string.Join("; ", asnErrors.Concat(errs))));
            }
        }
        return (orgs, errors);
    }

    public static void Write(TextWriter output, IEnumerable<Organisation> organisations)
    {
        using var writer = Sep.New(',').Writer(o => o with { Escape = true }).To(output);
        foreach (var o in organisations)
        {
            using var row = writer.NewRow();
            row["id"].Set(o.Id);
            row["name"].Set(o.Name);
            row["sector"].Set(o.Sector);
            row["entity_class"].Set(o.EntityClass.ToString().ToLowerInvariant());
            row["language"].Set(o.Language.Code());
            row["contacts"].Set(string.Join(' ', o.Contacts.Select(c => $"{c.Email}:{c.Role}")));
            row["prefixes"].Set(string.Join(' ', o.Prefixes));
            row["asns"].Set(string.Join(' ', o.Asns));
            row["domains"].Set(string.Join(' ', o.Domains));
        }
    }
}
