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

    // classification.type, classification.taxonomy
    readonly FieldPositions _positions = new(Fields.ClassificationType, Fields.ClassificationTaxonomy);
    readonly int[] _scratch = new int[2];

    // The last type text seen and what it resolves to: a feed has few types, mostly one.
    string? _lastText;
    FieldValue _lastValue;
    string _lastType = DefaultType;
    string _lastTaxonomy = DefaultTaxonomy;
    bool _lastChanged;
    bool _lastUnknown;

    public void Process(List<Event> batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var e in batch)
        {
            Processed++;
            var positions = _positions.Of(e, _scratch);
            var typeAt = positions[0];
            var taxonomyAt = positions[1];
            string type;
            string taxonomy;
            var typeValue = typeAt >= 0 ? e.ValueAt(typeAt) : default;
            var text = typeValue.TextSpan;
            if (!text.IsEmpty)
            {
                // A file's type is mostly one constant string: the same value needs no comparing.
                if (!typeValue.IsSameTextAs(_lastValue))
                {
                    if (!text.SequenceEqual(_lastText))
                    {
                        Resolve(typeValue.Text!);
                    }
                    _lastValue = typeValue;
                }
                type = _lastType;
                taxonomy = _lastTaxonomy;
                if (_lastChanged)
                {
                    e.Set(Fields.ClassificationType, type);
                }
                if (_lastUnknown)
                {
                    UnknownType++;
                }
            }
            else
            {
                type = DefaultType;
                e.Set(Fields.ClassificationType, type);
                Defaulted++;
                if (!Rsit.TryGetTaxonomy(type, out taxonomy))
                {
                    taxonomy = DefaultTaxonomy;
                    UnknownType++;
                }
                taxonomyAt = e.IndexOf(Fields.ClassificationTaxonomy); // the event changed
            }
            if (taxonomyAt < 0 || !HasText(e.ValueAt(taxonomyAt), taxonomy))
            {
                e.Set(Fields.ClassificationTaxonomy, taxonomy);
                Matched++;
            }
        }
    }

    static bool HasText(in FieldValue value, string text) =>
        value.Kind == FieldKind.Text && value.TextSpan.SequenceEqual(text);

    void Resolve(string text)
    {
        var type = ToLower(text.AsSpan().Trim(), text);
        _lastChanged = !ReferenceEquals(type, text);
        _lastUnknown = !Rsit.TryGetTaxonomy(type, out var taxonomy);
        _lastTaxonomy = _lastUnknown ? DefaultTaxonomy : taxonomy;
        _lastType = type;
        _lastText = text;
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
