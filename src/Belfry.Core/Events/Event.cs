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

    public Event(int capacity = 16)
    {
        _names = new string[capacity];
        _values = new FieldValue[capacity];
    }

    /// <summary>Deterministic id: the same feed record always gets the same id.</summary>
    public EventId Id { get; set; }

    /// <summary>The original record, as text (a CSV line, a JSON object, a list line).</summary>
    public string? Raw { get; set; }

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

    int IndexOf(string name)
    {
        // One pass: names are usually the same interned instances (a pointer compare); a
        // different instance with the same text still matches through the length+text compare.
        var names = _names;
        for (var i = 0; i < _count; i++)
        {
            var n = names[i];
            if (ReferenceEquals(n, name) || (n.Length == name.Length && string.Equals(n, name, StringComparison.Ordinal)))
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
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, _count * 2);
            Array.Resize(ref _values, _count * 2);
        }
        _names[_count] = name;
        _values[_count] = value;
        _count++;
    }

    /// <summary>
    /// Adds a field the caller knows is not there yet (a parser filling a new event from a plan
    /// with distinct names), skipping the lookup that <see cref="Set(string, FieldValue)"/> does.
    /// </summary>
    public void Append(string name, FieldValue value)
    {
        if (_count == _names.Length)
        {
            Array.Resize(ref _names, Math.Max(4, _count * 2));
            Array.Resize(ref _values, Math.Max(4, _count * 2));
        }
        _names[_count] = name;
        _values[_count] = value;
        _count++;
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
