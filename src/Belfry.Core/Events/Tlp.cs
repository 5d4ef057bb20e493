namespace Belfry.Core.Events;

/// <summary>
/// Traffic Light Protocol 2.0 (FIRST). Ordered from least to most restricted, so "may a reader
/// cleared for X see data marked Y" is a comparison: Y &lt;= X.
/// </summary>
public enum Tlp
{
    Clear = 0,
    Green = 1,
    Amber = 2,
    AmberStrict = 3,
    Red = 4,
}

public static class TlpNames
{
    public static string ToLabel(this Tlp tlp) => tlp switch
    {
        Tlp.Clear => "CLEAR",
        Tlp.Green => "GREEN",
        Tlp.Amber => "AMBER",
        Tlp.AmberStrict => "AMBER+STRICT",
        Tlp.Red => "RED",
        _ => throw new ArgumentOutOfRangeException(nameof(tlp)),
    };

    /// <summary>Accepts TLP 2.0 labels and the TLP 1.0 "WHITE" that IntelMQ still writes.</summary>
    public static bool TryParse(ReadOnlySpan<char> s, out Tlp tlp)
    {
        s = s.Trim();
        if (s.StartsWith("TLP:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[4..];
        }
        tlp = s.ToString().ToUpperInvariant() switch
        {
            "CLEAR" or "WHITE" => Tlp.Clear,
            "GREEN" => Tlp.Green,
            "AMBER" => Tlp.Amber,
            "AMBER+STRICT" or "AMBER-STRICT" => Tlp.AmberStrict,
            "RED" => Tlp.Red,
            _ => (Tlp)(-1),
        };
        return tlp >= Tlp.Clear;
    }

    /// <summary>True when a reader cleared up to <paramref name="clearance"/> may see data marked <paramref name="marking"/>.</summary>
    public static bool Permits(this Tlp clearance, Tlp marking) => marking <= clearance;
}
