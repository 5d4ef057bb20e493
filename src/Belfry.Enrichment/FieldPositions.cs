using System.Runtime.CompilerServices;
using Belfry.Core.Events;

namespace Belfry.Enrichment;

/// <summary>
/// Where an expert's fields are in an event. Events of one parsed file share their field-name
/// layouts (<see cref="Event.LayoutKey"/>), so the positions are worked out once per layout rather
/// than by a name scan per field and event.
/// </summary>
/// <remarks>
/// A file's rows alternate between many layouts (a thousand in a generated scan_http report: every
/// free-text column may be empty or not), each seen at one or two field counts as experts add
/// fields. The positions live in a direct-mapped table, flat (no array per layout, so a hit is one
/// line of keys and one of positions), indexed by the layout's number (<see cref="Event.LayoutId"/>,
/// handed out in sequence, so a file's layouts take distinct slots) or else the array's hash. A slot
/// taken by another layout is simply worked out again from the names.
/// </remarks>
internal sealed class FieldPositions
{
    const int Slots = 8192;

    readonly string[] _fields;
    readonly object?[] _keys = new object?[Slots];
    readonly int[] _counts = new int[Slots];
    readonly int[] _positions;

    public FieldPositions(params IReadOnlyList<string> fields)
    {
        // Interned, so names from configuration compare by reference with the Fields constants.
        _fields = [.. fields.Select(string.Intern)];
        _positions = new int[Slots * _fields.Length];
    }

    public int Length => _fields.Length;

    /// <summary>
    /// The position of each field in <paramref name="e"/> (-1 when absent), valid until the event
    /// changes or the next call; <paramref name="scratch"/> (at least <see cref="Length"/> long) is
    /// used for events with a layout of their own.
    /// </summary>
    public ReadOnlySpan<int> Of(Event e, Span<int> scratch)
    {
        var key = e.LayoutKey;
        if (key is null)
        {
            Find(e, scratch);
            return scratch[.._fields.Length];
        }
        var count = e.Count;
        var id = e.LayoutId;
        var slot = ((id != 0 ? id : RuntimeHelpers.GetHashCode(key)) ^ (count * 40503)) & (Slots - 1);
        var positions = _positions.AsSpan(slot * _fields.Length, _fields.Length);
        if (!ReferenceEquals(_keys[slot], key) || _counts[slot] != count)
        {
            Find(e, positions);
            _keys[slot] = key;
            _counts[slot] = count;
        }
        return positions;
    }

    void Find(Event e, Span<int> positions)
    {
        for (var f = 0; f < _fields.Length; f++)
        {
            positions[f] = e.IndexOf(_fields[f]);
        }
    }
}
