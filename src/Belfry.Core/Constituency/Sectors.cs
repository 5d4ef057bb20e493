namespace Belfry.Core.Constituency;

/// <summary>
/// NIS2 sectors: Annex I ("sectors of high criticality") and Annex II ("other critical sectors"),
/// with a stable code each, plus "other" for organisations outside NIS2 scope.
/// </summary>
public static class Sectors
{
    public const string Other = "other";

    public sealed record Sector(string Code, string Name, int Annex);

    public static IReadOnlyList<Sector> All { get; } =
    [
        new("energy", "Energy", 1),
        new("transport", "Transport", 1),
        new("banking", "Banking", 1),
        new("financial-market-infrastructure", "Financial market infrastructures", 1),
        new("health", "Health", 1),
        new("drinking-water", "Drinking water", 1),
        new("waste-water", "Waste water", 1),
        new("digital-infrastructure", "Digital infrastructure", 1),
        new("ict-service-management", "ICT service management (business-to-business)", 1),
        new("public-administration", "Public administration", 1),
        new("space", "Space", 1),
        new("postal-courier", "Postal and courier services", 2),
        new("waste-management", "Waste management", 2),
        new("chemicals", "Manufacture, production and distribution of chemicals", 2),
        new("food", "Production, processing and distribution of food", 2),
        new("manufacturing", "Manufacturing", 2),
        new("digital-providers", "Digital providers", 2),
        new("research", "Research", 2),
        new(Other, "Other (outside NIS2 scope)", 0),
    ];

    static readonly Dictionary<string, Sector> s_byCode = All.ToDictionary(s => s.Code, StringComparer.OrdinalIgnoreCase);

    public static bool TryGet(string code, out Sector sector) => s_byCode.TryGetValue(code.Trim(), out sector!);
}
