using Belfry.Core.Net;

namespace Belfry.Core.Events;

/// <summary>
/// One security event in the IntelMQ data format: a small ordered set of named, typed fields,
/// plus what Belfry adds (a deterministic id, the owning organisation and a TLP marking).
/// Field names are compared by reference first: parsers pass the interned constants of
/// <see cref="Fields"/> or names interned once per feed, so a lookup is a short pointer scan.
/// </summary>
public sealed class Event
{
    string[] _names;
    FieldValue[] _values;
    int _count;

    // True while _names is shared with other events (a parser's row layout, see the constructor):
    // its first _count slots are then read-only for this event.
    bool _sharedNames;

    // Set while the event waits in an EventPool, so a second return is caught.
    internal bool InPool { get; set; }

    public Event(int capacity = 16)
    {
        _names = new string[capacity];
        _values = new FieldValue[capacity];
    }

    /// <summary>
    /// An event whose first <paramref name="count"/> fields are <paramref name="names"/> and
    /// <paramref name="values"/>, taking both arrays (no copy). <paramref name="names"/> may be shared
    /// by many events with the same field layout (a parser's rows): the event never writes into its
    /// first <paramref name="count"/> slots, and copies it before any change of its names, except that
    /// appending a name claims the next free slot, so events that append the same names stay shared.
    /// The owner of a shared array must not change a slot once an event uses it.
    /// </summary>
    public Event(string[] names, FieldValue[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Math.Min(names.Length, values.Length));
        _names = names;
        _values = values;
        _count = count;
        _sharedNames = true;
    }

    /// <summary>
    /// Makes this event a fresh one (for <see cref="EventPool"/>): the fields are <paramref name="names"/>
    /// (shared, as in <see cref="Event(string[], FieldValue[], int)"/>) with a copy of
    /// <paramref name="values"/>, in a value array of at least <paramref name="capacity"/> slots that the
    /// event keeps from its previous use; id, raw record, organisation and TLP are reset. Slots past the
    /// new fields are cleared, so nothing of the previous record stays reachable or readable.
    /// </summary>
    public void Reset(string[] names, ReadOnlySpan<FieldValue> values, int capacity)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, names.Length);
        capacity = Math.Max(capacity, values.Length);
        var old = _values;
        var previous = Math.Min(_count, old.Length);
        if (old.Length < capacity)
        {
            _values = new FieldValue[capacity];
        }
        values.CopyTo(_values);
        if (ReferenceEquals(old, _values) && previous > values.Length)
        {
            Array.Clear(_values, values.Length, previous - values.Length);
        }
        _names = names;
        _count = values.Length;
        _sharedNames = true;
        _layoutId = 0;
        ResetRecord();
    }

    /// <summary>
    /// Starts filling this (pooled, cleared) event in place, for a parser that writes its values
    /// straight into the event rather than into a scratch row that is then copied: the returned array
    /// has at least <paramref name="capacity"/> slots, all empty, and the event has no fields until
    /// <see cref="EndFill"/>.
    /// </summary>
    public FieldValue[] BeginFill(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Array.Clear(_values, 0, Math.Min(_count, _values.Length));
        if (_values.Length < capacity)
        {
            _values = new FieldValue[capacity];
        }
        _count = 0;
        return _values;
    }

    /// <summary>
    /// Ends <see cref="BeginFill"/>: the first <paramref name="count"/> values written are the fields
    /// named by <paramref name="names"/> (shared, as in <see cref="Event(string[], FieldValue[], int)"/>);
    /// id, raw record, organisation and TLP are reset. <paramref name="layoutId"/> is the names array's
    /// number from <see cref="NewLayoutId"/>, or 0.
    /// </summary>
    public void EndFill(string[] names, int count, int layoutId = 0)
    {
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Math.Min(names.Length, _values.Length));
        _names = names;
        _count = count;
        _sharedNames = true;
        _layoutId = layoutId;
        ResetRecord();
    }

    /// <summary>A recycled event's id, raw record, organisation and TLP, as a new event's.</summary>
    void ResetRecord()
    {
        Id = default;
        _rawSource = null;
        _rawStart = 0;
        _rawLength = 0;
        Organisation = null;
        Tlp = Tlp.Amber;
    }

    /// <summary>
    /// Drops what the event refers to while it waits in an <see cref="EventPool"/>: its values and raw
    /// record are slices of the parser's text buffers, which would otherwise stay alive (and be copied
    /// from generation to generation by the GC) until the event is rented again.
    /// </summary>
    internal void ClearForPool()
    {
        Array.Clear(_values, 0, Math.Min(_count, _values.Length));
        _count = 0;
        _rawSource = null;
        Organisation = null;
    }

    /// <summary>
    /// The field-name layout when it is shared with other events (null when the event has its own):
    /// events with the same <see cref="LayoutKey"/> and <see cref="Count"/> have the same names at the
    /// same positions, so an expert can look its fields up once per layout. Valid until the next change.
    /// </summary>
    public object? LayoutKey => _sharedNames ? _names : null;

    int _layoutId;
    static int s_lastLayoutId;

    /// <summary>
    /// A number for <see cref="LayoutKey"/> given by its owner (<see cref="NewLayoutId"/>), or 0: experts
    /// find their cached positions by it without hashing the array (which was most of their cost).
    /// </summary>
    public int LayoutId => _sharedNames ? _layoutId : 0;

    /// <summary>A number no other layout has (for a parser's shared names arrays).</summary>
    public static int NewLayoutId()
    {
        var id = Interlocked.Increment(ref s_lastLayoutId);
        return id != 0 ? id : Interlocked.Increment(ref s_lastLayoutId);
    }

    /// <summary>Deterministic id: the same feed record always gets the same id.</summary>
    public EventId Id { get; set; }

    // The raw record is a whole string or a slice of a longer one: a parser's rows are slices of the
    // buffers it reads the file into, so that a row costs no string of its own.
    string? _rawSource;
    int _rawStart;
    int _rawLength;

    /// <summary>
    /// The original record, as text (a CSV line, a JSON object, a list line). When the record is a
    /// slice of a shared chunk (<see cref="SetRaw(string, int, int)"/>) each read makes a string:
    /// writers use <see cref="RawSpan"/>.
    /// </summary>
    public string? Raw
    {
        get => _rawSource is null || (_rawStart == 0 && _rawLength == _rawSource.Length)
            ? _rawSource
            : _rawSource.Substring(_rawStart, _rawLength);
        set
        {
            _rawSource = value;
            _rawStart = 0;
            _rawLength = value?.Length ?? 0;
        }
    }

    /// <summary>Whether the event has a raw record.</summary>
    public bool HasRaw => _rawSource is not null;

    /// <summary>The raw record without allocating (empty when there is none).</summary>
    public ReadOnlySpan<char> RawSpan => _rawSource is null ? default : _rawSource.AsSpan(_rawStart, _rawLength);

    /// <summary>The raw record is <paramref name="length"/> characters of <paramref name="source"/> from <paramref name="start"/>.</summary>
    public void SetRaw(string source, int start, int length)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, source.Length - start);
        _rawSource = source;
        _rawStart = start;
        _rawLength = length;
    }

    /// <summary>Id of the organisation the event is about, when the constituency knows it.</summary>
    public string? Organisation { get; set; }

    public Tlp Tlp { get; set; } = Tlp.Amber;

    public int Count => _count;

    public string NameAt(int i) => _names[i];
    public FieldValue ValueAt(int i) => _values[i];

    public IEnumerable<KeyValuePair<string, FieldValue>> Items
    {
        get
        {
            for (var i = 0; i < _count; i++)
            {
                yield return new(_names[i], _values[i]);
            }
        }
    }

    /// <summary>The position of the field <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        // Names are usually the same interned instances: a pointer pass first, then the text
        // compare for a different instance with the same text.
        var names = _names;
        var count = Math.Min(_count, names.Length);
        for (var i = 0; i < count; i++)
        {
            if (ReferenceEquals(names[i], name))
            {
                return i;
            }
        }
        for (var i = 0; i < count; i++)
        {
            var n = names[i];
            if (n.Length == name.Length && string.Equals(n, name, StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    public void Set(string name, FieldValue value)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            _values[i] = value;
            return;
        }
        Append(name, value);
    }

    /// <summary>
    /// Adds a field the caller knows is not there yet (a parser filling a new event from a plan
    /// with distinct names), skipping the lookup that <see cref="Set(string, FieldValue)"/> does.
    /// </summary>
    public void Append(string name, FieldValue value)
    {
        if (_sharedNames && !TryClaimSharedSlot(name))
        {
            Unshare(_count + 4);
        }
        if (_count == _values.Length)
        {
            Array.Resize(ref _values, Math.Max(4, _count * 2));
        }
        if (!_sharedNames)
        {
            if (_count == _names.Length)
            {
                Array.Resize(ref _names, Math.Max(4, _count * 2));
            }
            _names[_count] = name;
        }
        _values[_count] = value;
        _count++;
    }

    /// <summary>Whether the shared names array has (or now has, claimed by this call) <paramref name="name"/> in the next slot.</summary>
    bool TryClaimSharedSlot(string name)
    {
        if (_count >= _names.Length)
        {
            return false;
        }
        // Events sharing the array may live on other threads: claim a free slot atomically.
        ref var slot = ref _names[_count];
        var current = Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, name, null) ?? name;
        return ReferenceEquals(current, name) || string.Equals(current, name, StringComparison.Ordinal);
    }

    void Unshare(int capacity)
    {
        var names = new string[Math.Max(capacity, _count)];
        Array.Copy(_names, names, _count);
        _names = names;
        _sharedNames = false;
    }

    public void Set(string name, string value) => Set(name, FieldValue.Of(value));
    public void Set(string name, long value) => Set(name, FieldValue.Of(value));
    public void Set(string name, NetAddress value) => Set(name, FieldValue.Of(value));
    public void Set(string name, DateTime utc) => Set(name, FieldValue.Of(utc));

    public bool TryGet(string name, out FieldValue value)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            value = default;
            return false;
        }
        value = _values[i];
        return true;
    }

    public bool Contains(string name) => IndexOf(name) >= 0;

    public bool Remove(string name)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            return false;
        }
        if (_sharedNames)
        {
            Unshare(_count);
        }
        _count--;
        Array.Copy(_names, i + 1, _names, i, _count - i);
        Array.Copy(_values, i + 1, _values, i, _count - i);
        _names[_count] = null!;
        _values[_count] = default;
        return true;
    }

    public string? GetText(string name) => TryGet(name, out var v) ? v.ToString() : null;

    public NetAddress? GetAddress(string name) => TryGet(name, out var v) && v.Kind == FieldKind.Address ? v.Address : null;

    public long? GetInteger(string name) => TryGet(name, out var v) && v.Kind == FieldKind.Integer ? v.Integer : null;

    public DateTime? GetTime(string name) => TryGet(name, out var v) && v.Kind == FieldKind.Time ? v.Time : null;

    public string FeedName => GetText(Fields.FeedName) ?? string.Empty;
    public string? ClassificationType => GetText(Fields.ClassificationType);
    public string? ClassificationIdentifier => GetText(Fields.ClassificationIdentifier);
    public DateTime? TimeSource => GetTime(Fields.TimeSource);
    public NetAddress? SourceIp => GetAddress(Fields.SourceIp);
}
