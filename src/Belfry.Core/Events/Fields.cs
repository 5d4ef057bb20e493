namespace Belfry.Core.Events;

/// <summary>
/// Field names of the IntelMQ data format ("harmonization"), used verbatim so that events move
/// between IntelMQ and Belfry unchanged. Names outside this list must start with "extra.".
/// </summary>
public static class Fields
{
    public const string Raw = "raw";
    public const string FeedName = "feed.name";
    public const string FeedProvider = "feed.provider";
    public const string FeedCode = "feed.code";
    public const string FeedAccuracy = "feed.accuracy";
    public const string FeedDocumentation = "feed.documentation";
    public const string FeedUrl = "feed.url";
    public const string TimeSource = "time.source";
    public const string TimeObservation = "time.observation";
    public const string ClassificationTaxonomy = "classification.taxonomy";
    public const string ClassificationType = "classification.type";
    public const string ClassificationIdentifier = "classification.identifier";
    public const string SourceIp = "source.ip";
    public const string SourcePort = "source.port";
    public const string SourceAsn = "source.asn";
    public const string SourceAsName = "source.as_name";
    public const string SourceFqdn = "source.fqdn";
    public const string SourceUrl = "source.url";
    public const string SourceNetwork = "source.network";
    public const string SourceReverseDns = "source.reverse_dns";
    public const string SourceAbuseContact = "source.abuse_contact";
    public const string SourceCc = "source.geolocation.cc";
    public const string DestinationIp = "destination.ip";
    public const string DestinationPort = "destination.port";
    public const string DestinationAsn = "destination.asn";
    public const string DestinationFqdn = "destination.fqdn";
    public const string DestinationUrl = "destination.url";
    public const string DestinationNetwork = "destination.network";
    public const string ProtocolTransport = "protocol.transport";
    public const string ProtocolApplication = "protocol.application";
    public const string MalwareName = "malware.name";
    public const string Tlp = "tlp";
    public const string ExtraPrefix = "extra.";

    /// <summary>Belfry's own field for the owning organisation, kept under extra.* so IntelMQ accepts it.</summary>
    public const string ExtraOrganisation = "extra.organisation";

    public enum Type
    {
        Text,
        Integer,
        Float,
        Boolean,
        Address,
        Prefix,
        Time,
        Port,
        Asn,
        Fqdn,
        Url,
        CountryCode,
        Lower,
        Any,
    }

    /// <summary>Known IntelMQ fields and the kind of value each takes.</summary>
    public static IReadOnlyDictionary<string, Type> Known { get; } = BuildKnown();

    static Dictionary<string, Type> BuildKnown()
    {
        var d = new Dictionary<string, Type>(StringComparer.Ordinal)
        {
            [Raw] = Type.Text,
            [FeedName] = Type.Text,
            [FeedProvider] = Type.Text,
            [FeedCode] = Type.Text,
            [FeedAccuracy] = Type.Float,
            [FeedDocumentation] = Type.Text,
            [FeedUrl] = Type.Url,
            [TimeSource] = Type.Time,
            [TimeObservation] = Type.Time,
            [ClassificationTaxonomy] = Type.Lower,
            [ClassificationType] = Type.Lower,
            [ClassificationIdentifier] = Type.Text,
            [ProtocolTransport] = Type.Lower,
            [ProtocolApplication] = Type.Lower,
            [MalwareName] = Type.Lower,
            ["malware.hash.md5"] = Type.Text,
            ["malware.hash.sha1"] = Type.Text,
            ["malware.hash.sha256"] = Type.Text,
            ["malware.version"] = Type.Text,
            ["event_description.text"] = Type.Text,
            ["event_description.url"] = Type.Url,
            ["event_hash"] = Type.Text,
            ["comment"] = Type.Text,
            ["screenshot_url"] = Type.Url,
            ["status"] = Type.Text,
            ["product.product"] = Type.Text,
            ["product.vendor"] = Type.Text,
            ["product.version"] = Type.Text,
            ["product.vulnerabilities"] = Type.Text,
            ["severity"] = Type.Lower,
            ["rtir_id"] = Type.Integer,
            ["misp.event_uuid"] = Type.Text,
            ["misp.attribute_uuid"] = Type.Text,
            ["output"] = Type.Any,
            [Tlp] = Type.Text,
        };
        foreach (var side in new[] { "source", "destination" })
        {
            d[$"{side}.ip"] = Type.Address;
            d[$"{side}.port"] = Type.Port;
            d[$"{side}.asn"] = Type.Asn;
            d[$"{side}.as_name"] = Type.Text;
            d[$"{side}.fqdn"] = Type.Fqdn;
            d[$"{side}.url"] = Type.Url;
            d[$"{side}.urlpath"] = Type.Text;
            d[$"{side}.network"] = Type.Prefix;
            d[$"{side}.reverse_dns"] = Type.Fqdn;
            d[$"{side}.domain_suffix"] = Type.Fqdn;
            d[$"{side}.abuse_contact"] = Type.Lower;
            d[$"{side}.account"] = Type.Text;
            d[$"{side}.allocated"] = Type.Time;
            d[$"{side}.registry"] = Type.Text;
            d[$"{side}.local_hostname"] = Type.Text;
            d[$"{side}.local_ip"] = Type.Address;
            d[$"{side}.tor_node"] = Type.Boolean;
            d[$"{side}.geolocation.cc"] = Type.CountryCode;
            d[$"{side}.geolocation.city"] = Type.Text;
            d[$"{side}.geolocation.region"] = Type.Text;
            d[$"{side}.geolocation.state"] = Type.Text;
            d[$"{side}.geolocation.country"] = Type.Text;
            d[$"{side}.geolocation.latitude"] = Type.Float;
            d[$"{side}.geolocation.longitude"] = Type.Float;
            d[$"{side}.geolocation.geoip_cc"] = Type.CountryCode;
        }
        return d;
    }

    public static bool IsExtra(string name) => name.StartsWith(ExtraPrefix, StringComparison.Ordinal);
}
