using Belfry.Core.Events;
using Belfry.Core.Taxonomy;

namespace Belfry.Enrichment;

/// <summary>
/// Sets classification.taxonomy from classification.type through ENISA's RSIT, as IntelMQ's
/// taxonomy expert does: an event without a type becomes "undetermined" (taxonomy "other"), a
/// type outside the taxonomy gets "other". Type values are lower-cased.
/// </summary>
public sealed class TaxonomyExpert : IEventExpert, IExpertCounters
{
    public const string DefaultType = "undetermined";
    public const string DefaultTaxonomy = "other";

    public string Name => "taxonomy";

    public long Processed { get; private set; }

    /// <summary>Events whose taxonomy was set or corrected.</summary>
    public long Matched { get; private set; }

    public long Dropped => 0;

    /// <summary>Events that had no classification.type and got "undetermined".</summary>
    public long Defaulted { get; private set; }

    /// <summary>Events whose classification.type is not in the taxonomy.</summary>
    public long UnknownType { get; private set; }

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            Processed++;
            string type;
            if (e.TryGet(Fields.ClassificationType, out var typeValue) && typeValue.Text is { Length: > 0 } text)
            {
                type = ToLower(text.AsSpan().Trim(), text);
                if (!ReferenceEquals(type, text))
                {
                    e.Set(Fields.ClassificationType, type);
                }
            }
            else
            {
                type = DefaultType;
                e.Set(Fields.ClassificationType, type);
                Defaulted++;
            }

            if (!Rsit.TryGetTaxonomy(type, out var taxonomy))
            {
                taxonomy = DefaultTaxonomy;
                UnknownType++;
            }
            if (!e.TryGet(Fields.ClassificationTaxonomy, out var current) || current.Text != taxonomy)
            {
                e.Set(Fields.ClassificationTaxonomy, taxonomy);
                Matched++;
            }
        }
    }

    /// <summary>The trimmed lower-case value; returns <paramref name="original"/> itself when it already is.</summary>
    static string ToLower(ReadOnlySpan<char> trimmed, string original)
    {
        if (trimmed.Length == original.Length && IsAsciiLower(trimmed))
        {
            return original;
        }
        return trimmed.ToString().ToLowerInvariant();
    }

    // A plain loop: the vectorised span helpers allocated here (measured), and types are short.
    static bool IsAsciiLower(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c is (>= 'A' and <= 'Z') or > '\x7f')
            {
                return false;
            }
        }
        return true;
    }
}
