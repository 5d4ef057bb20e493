using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;
using nietras.SeparatedValues;

namespace Belfry.Notify.Tests;

/// <summary>Hand-made organisations and events for the notify tests.</summary>
static class TestData
{
    public static readonly DateTime Now = new(2025, 3, 4, 9, 30, 0, DateTimeKind.Utc);

    public static Organisation NewOrg(string id, string name, Language language, params Contact[] contacts) => new()
    {
        Id = id,
        Name = name,
        Language = language,
        Contacts = contacts.Length > 0 ? contacts : [new Contact($"security@{id}.example", "security")],
    };

    public static Event Make(
        string? organisation,
        string ip,
        string type,
        string? identifier,
        Tlp tlp = Tlp.Amber,
        int? port = null,
        string? malware = null,
        string? url = null,
        string feed = "test-feed",
        DateTime? time = null,
        params (string Name, string Value)[] extra)
    {
        var e = new Event();
        e.Set(Fields.FeedName, feed);
        e.Set(Fields.TimeSource, time ?? new DateTime(2025, 3, 3, 12, 0, 0, DateTimeKind.Utc));
        if (Belfry.Core.Taxonomy.Rsit.TryGetTaxonomy(type, out var taxonomy))
        {
            e.Set(Fields.ClassificationTaxonomy, taxonomy);
        }
        e.Set(Fields.ClassificationType, type);
        if (identifier is not null)
        {
            e.Set(Fields.ClassificationIdentifier, identifier);
        }
        e.Set(Fields.SourceIp, NetAddress.Parse(ip));
        if (port is { } p)
        {
            e.Set(Fields.SourcePort, p);
        }
        if (malware is not null)
        {
            e.Set(Fields.MalwareName, malware);
        }
        if (url is not null)
        {
            e.Set(Fields.SourceUrl, url);
        }
        foreach (var (name, value) in extra)
        {
            e.Set(name, value);
        }
        e.Organisation = organisation;
        e.Tlp = tlp;
        e.Raw = $"{organisation}|{ip}|{type}|{identifier}|{port}|{malware}|{url}|{tlp}|{time:O}|{string.Join(";", extra)}";
        if (organisation is not null)
        {
            e.Set(Fields.ExtraOrganisation, organisation);
        }
        e.Id = EventId.Compute(feed, e.Raw);
        return e;
    }

    /// <summary>Reads a CSV back with Sep (an independent reader): the header and each row as name → value.</summary>
    public static (string[] Header, List<Dictionary<string, string>> Rows) ReadCsv(string text)
    {
        using var reader = Sep.New(',').Reader(o => o with { Unescape = true, HasHeader = true }).FromText(text);
        var header = reader.Header.ColNames.ToArray();
        var rows = new List<Dictionary<string, string>>();
        foreach (var row in reader)
        {
            var d = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                d[header[i]] = row[i].ToString();
            }
            rows.Add(d);
        }
        return (header, rows);
    }
}
