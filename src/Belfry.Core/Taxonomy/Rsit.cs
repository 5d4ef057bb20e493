namespace Belfry.Core.Taxonomy;

/// <summary>
/// ENISA's Reference Security Incident Taxonomy (RSIT): every classification.type belongs to one
/// classification.taxonomy. Also holds the few types IntelMQ adds (blacklist, tor, ...), because
/// events from IntelMQ carry them. A test checks this table against ENISA's machine-readable file.
/// </summary>
public static class Rsit
{
    static readonly Dictionary<string, string> s_taxonomyOfType = Build();

    public static IReadOnlyDictionary<string, string> TaxonomyOfType => s_taxonomyOfType;

    static Dictionary<string, string> Build()
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string taxonomy, params string[] types)
        {
            foreach (var t in types)
            {
                d[t] = taxonomy;
            }
        }
        Add("abusive-content", "spam", "harmful-speech", "violence");
        Add("malicious-code", "infected-system", "c2-server", "malware-distribution", "malware-configuration");
        Add("information-gathering", "scanner", "sniffing", "social-engineering");
        Add("intrusion-attempts", "ids-alert", "brute-force", "exploit");
        Add("intrusions", "privileged-account-compromise", "unprivileged-account-compromise", "application-compromise", "system-compromise", "burglary");
        Add("availability", "dos", "ddos", "misconfiguration", "sabotage", "outage");
        Add("information-content-security", "unauthorised-information-access", "unauthorised-information-modification", "data-loss", "data-leak");
        Add("fraud", "unauthorised-use-of-resources", "copyright", "masquerade", "phishing");
        Add("vulnerable", "weak-crypto", "ddos-amplifier", "potentially-unwanted-accessible", "information-disclosure", "vulnerable-system");
        Add("other", "other", "undetermined");
        Add("test", "test");
        // IntelMQ's additions to RSIT (its harmonization keeps them under "other").
        Add("other", "blacklist", "unknown", "tor", "dga-domain");
        return d;
    }

    public static bool IsKnownType(string type) => s_taxonomyOfType.ContainsKey(type);

    public static bool TryGetTaxonomy(string type, out string taxonomy) => s_taxonomyOfType.TryGetValue(type, out taxonomy!);

    public static bool IsKnownTaxonomy(string taxonomy) => s_taxonomyOfType.ContainsValue(taxonomy);
}
