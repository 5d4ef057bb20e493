using System.Runtime.CompilerServices;
using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// Where an expert's fields are in an event. Events of one parsed file share their field-name
/// layouts (<see cref="Event.LayoutKey"/>), so the positions are looked up once per layout rather
/// than by a name scan per field and event.
/// </summary>
internal sealed class FieldPositions
{
    /// <summary>Layouts remembered: a file has up to the parser's 4,096 (one per set of present columns), each at a few counts as experts append. Past it the cache starts over.</summary>
    const int MaxLayouts = 16384;

    readonly string[] _fields;
    readonly Dictionary<Layout, int[]> _cache = [];
    object? _lastKey;
    int _lastCount = -1;
    int[] _last = [];

    public FieldPositions(params IReadOnlyList<string> fields)
    {
        // Interned, so names from configuration compare by reference with the Fields constants.
        _fields = [.. fields.Select(string.Intern)];
    }

    public int Length => _fields.Length;

    /// <summary>
    /// The position of each field in <paramref name="e"/> (-1 when absent), valid until the event
    /// changes; <paramref name="scratch"/> (at least <see cref="Length"/> long) is used for events
    /// with a layout of their own.
    /// </summary>
    public ReadOnlySpan<int> Of(Event e, Span<int> scratch)
    {
        var key = e.LayoutKey;
        if (key is null)
        {
            for (var f = 0; f < _fields.Length; f++)
            {
                scratch[f] = e.IndexOf(_fields[f]);
            }
            return scratch[.._fields.Length];
        }
        var count = e.Count;
        if (ReferenceEquals(key, _lastKey) && count == _lastCount)
        {
            return _last;
        }
        // A file's rows alternate between layouts (a thousand in a scan_http report, at one or two
        // counts as experts add fields): a direct-mapped table answers most of them. A layout with a
        // number (Event.LayoutId) is worked out from the names when it is not there; others are hashed
        // by reference, with a dictionary behind.
        var id = e.LayoutId;
        var slot = ((id != 0 ? id : RuntimeHelpers.GetHashCode(key)) ^ (count * 40503)) & (RecentSlots - 1);
        ref var recent = ref _recent[slot];
        if (ReferenceEquals(recent.Key, key) && recent.Count == count)
        {
            _lastKey = key;
            _lastCount = count;
            _last = recent.Positions;
            return recent.Positions;
        }
        int[]? positions;
        if (id != 0)
        {
            positions = Find(e);
        }
        else if (!_cache.TryGetValue(new Layout(key, count), out positions))
        {
            positions = Find(e);
            if (_cache.Count >= MaxLayouts)
            {
                _cache.Clear();
            }
            _cache.Add(new Layout(key, count), positions);
        }
        recent = new Recent(key, count, positions);
        _lastKey = key;
        _lastCount = count;
        _last = positions;
        return positions;
    }

    int[] Find(Event e)
    {
        var positions = new int[_fields.Length];
        for (var f = 0; f < _fields.Length; f++)
        {
            positions[f] = e.IndexOf(_fields[f]);
        }
        return positions;
    }

    const int RecentSlots = 16384;
    readonly Recent[] _recent = new Recent[RecentSlots];

    readonly record struct Recent(object? Key, int Count, int[] Positions);

    /// <summary>A shared names array (compared by reference) and how many of its names an event uses.</summary>
    readonly record struct Layout(object Names, int Count);
}
