using Belfry.Core.Constituency;
using Belfry.Core.Net;

namespace Belfry.Cli.Demo;

/// <summary>
/// A fictional constituency across real NIS2 sectors and Belgium's languages. Addresses come
/// from ranges reserved for documentation and benchmarking (RFC 5737, RFC 2544, RFC 3849) and AS
/// numbers from the documentation range (RFC 5398), so the demo never names a real network.
/// </summary>
public static class DemoConstituency
{
    sealed record Spec(string Name, string Sector, EntityClass Class, Language Language, string Slug);

    static readonly Spec[] s_specs =
    [
        new("Belnet-like Research Network (demo)", "digital-infrastructure", EntityClass.Essential, Language.En, "research-net"),
        new("AZ Sint-Lucas Ziekenhuis (demo)", "health", EntityClass.Essential, Language.Nl, "azsintlucas"),
        new("Hôpital Universitaire du Sud (démo)", "health", EntityClass.Essential, Language.Fr, "hus"),
        new("Stadt Eupen (Demo)", "public-administration", EntityClass.Important, Language.De, "eupen"),
        new("Vlaamse Waterwegen (demo)", "transport", EntityClass.Essential, Language.Nl, "waterwegen"),
        new("Banque Mosane (démo)", "banking", EntityClass.Essential, Language.Fr, "mosane"),
        new("Brabant Energie (demo)", "energy", EntityClass.Essential, Language.Nl, "brabant-energie"),
        new("Université de Liège-Ouest (démo)", "research", EntityClass.Important, Language.Fr, "ulo"),
        new("Antwerp Chemicals NV (demo)", "chemicals", EntityClass.Important, Language.En, "antwerp-chem"),
        new("Kust Drinkwater (demo)", "drinking-water", EntityClass.Essential, Language.Nl, "kustwater"),
        new("Gemeente Hasselt (demo)", "public-administration", EntityClass.Important, Language.Nl, "hasselt"),
        new("Postes Wallonnes (démo)", "postal-courier", EntityClass.Important, Language.Fr, "postes-wallonnes"),
        new("Eifel Lebensmittel GmbH (Demo)", "food", EntityClass.Important, Language.De, "eifel-food"),
        new("Brussels SaaS BV (demo)", "digital-providers", EntityClass.Important, Language.En, "brussels-saas"),
    ];

    /// <summary>Networks outside the constituency, for the "national picture only" part of the feeds.</summary>
    public static IReadOnlyList<NetPrefix> ForeignPools { get; } = [NetPrefix.Parse("203.0.113.0/24"), NetPrefix.Parse("192.0.2.0/24")];

    public static IReadOnlyList<Organisation> Create()
    {
        var orgs = new List<Organisation>();
        for (var i = 0; i < s_specs.Length; i++)
        {
            var s = s_specs[i];
            var domain = $"{s.Slug}.example";
            var prefixes = new List<NetPrefix>
            {
                // 198.18.0.0/15 cut into one /21 per organisation.
                new(NetAddress.FromV4(0xC612_0000u + ((uint)i << 11)), 21),
                NetPrefix.Parse($"2001:db8:{i + 1:x}::/48"),
            };
            if (i == 0)
            {
                // The research network holds a wider block; one university sits inside it (below),
                // so "most specific prefix wins" shows in the demo.
                prefixes.Add(NetPrefix.Parse("198.51.100.0/24"));
            }
            if (s.Slug == "ulo")
            {
                prefixes.Add(NetPrefix.Parse("198.51.100.128/25"));
            }
            orgs.Add(new Organisation
            {
                Id = EnterpriseNumber.FromBody(2_030_000 + (i * 7919)),
                Name = s.Name,
                Sector = s.Sector,
                EntityClass = s.Class,
                Language = s.Language,
                Contacts = [new Contact($"security@{domain}", "security"), new Contact($"it@{domain}", "technical")],
                Prefixes = prefixes,
                Asns = i < 16 ? [64496 + i] : [],
                Domains = [domain],
            });
        }
        return orgs;
    }
}
