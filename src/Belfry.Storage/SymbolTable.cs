using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Belfry.Storage;

/// <summary>Resolves a symbol id of an encoded event back to its text.</summary>
public interface ISymbolResolver
{
    bool TryGetSymbol(int id, [NotNullWhen(true)] out string? text);
}

/// <summary>
/// Small integer ids for strings that repeat on every event: field names and low-cardinality
/// values (feed.name, classification.type, ...). A store persists the table beside its events,
/// in the same transaction, so every stored id resolves. One writer adds (the store, under its
/// write lock); any thread resolves. Bounded: past <see cref="Capacity"/> the codec writes
/// strings inline, so hostile inputs with endless distinct names cannot grow memory.
/// </summary>
public sealed class SymbolTable : ISymbolResolver
{
    public const int DefaultCapacity = 1 << 16;

    /// <summary>Longest string worth a symbol; longer values are written inline.</summary>
    public const int MaxSymbolLength = 256;

    readonly ConcurrentDictionary<string, int> _ids = new(StringComparer.Ordinal);

    // Most names and repeated values are the same string instances (schema constants, parser
    // pools): a reference lookup is cheaper than hashing the characters. Writer-only.
    readonly Dictionary<string, int> _byReference = new(ReferenceEqualityComparer.Instance);
    const int MaxReferenceCache = 4096;

    string[] _texts = new string[64];
    byte[] _marks = new byte[64];
    volatile int _count;

    public SymbolTable(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    /// <summary>Symbols in the table: ids 1..Count.</summary>
    public int Count => _count;

    /// <summary>Symbols known to be stored (ids 1..PersistedCount); the rest are pending.</summary>
    public int PersistedCount { get => Volatile.Read(ref _persisted); private set => Volatile.Write(ref _persisted, value); }

    int _persisted;

    public bool TryGetSymbol(int id, [NotNullWhen(true)] out string? text)
    {
        var texts = Volatile.Read(ref _texts);
        if ((uint)(id - 1) < (uint)_count && id - 1 < texts.Length)
        {
            text = texts[id - 1];
            return text is not null;
        }
        text = null;
        return false;
    }

    // Events of one feed carry the same names in the same order: remember the name seen at each
    // field position, so the common case is one reference comparison. Writer-only.
    readonly (string? Name, int Id)[] _byPosition = new (string?, int)[256];

    /// <summary>
    /// The id of field name <paramref name="name"/> at field <paramref name="position"/> of an
    /// event, adding it if there is room (writer only).
    /// </summary>
    public bool TryGetName(string name, int position, out int id)
    {
        if ((uint)position < (uint)_byPosition.Length)
        {
            ref var slot = ref _byPosition[position];
            if (ReferenceEquals(slot.Name, name))
            {
                id = slot.Id;
                return true;
            }
            if (TryGetOrAdd(name, out id))
            {
                slot = (name, id);
                return true;
            }
            return false;
        }
        return TryGetOrAdd(name, out id);
    }

    /// <summary>The id of a value, adding it if there is room (writer only).</summary>
    public bool TryGetOrAdd(ReadOnlySpan<char> text, out int id)
    {
        if (_ids.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(text, out id))
        {
            return true;
        }
        if (_count >= Capacity || text.Length > MaxSymbolLength)
        {
            id = 0;
            return false;
        }
        id = Append(text.ToString());
        return true;
    }

    /// <summary>The id of <paramref name="text"/>, adding it if there is room (writer only).</summary>
    public bool TryGetOrAdd(string text, out int id)
    {
        if (_byReference.TryGetValue(text, out id))
        {
            return true;
        }
        if (!_ids.TryGetValue(text, out id))
        {
            if (_count >= Capacity || text.Length > MaxSymbolLength)
            {
                id = 0;
                return false;
            }
            id = Append(text);
        }
        if (_byReference.Count >= MaxReferenceCache)
        {
            _byReference.Clear();
        }
        _byReference[text] = id;
        return true;
    }

    int Append(string text)
    {
        var texts = _texts;
        if (_count == texts.Length)
        {
            Array.Resize(ref texts, texts.Length * 2);
            Array.Resize(ref _marks, texts.Length);
            Volatile.Write(ref _texts, texts);
        }
        texts[_count] = text;
        var id = _count + 1;
        _ids[text] = id;
        _count = id;
        return id;
    }

    /// <summary>
    /// A byte the codec keeps per symbol (writer only), so a per-name decision is made once per
    /// name rather than once per event; 0 until set.
    /// </summary>
    public ref byte Mark(int id) => ref _marks[id - 1];

    /// <summary>Symbols not yet stored, with their ids, oldest first.</summary>
    public IEnumerable<(int Id, string Text)> Pending()
    {
        for (var i = PersistedCount; i < _count; i++)
        {
            yield return (i + 1, _texts[i]);
        }
    }

    /// <summary>Called after the transaction that stored the pending symbols committed.</summary>
    public void MarkPersisted() => PersistedCount = _count;

    /// <summary>A new table with the same symbols (as persisted) and capacity, for another writer (an <see cref="EventRowEncoder"/>).</summary>
    public SymbolTable Copy()
    {
        var copy = new SymbolTable(Capacity);
        var texts = Volatile.Read(ref _texts);
        var count = _count;
        for (var i = 0; i < count; i++)
        {
            copy.Append(texts[i]);
        }
        copy.PersistedCount = count;
        return copy;
    }

    /// <summary>
    /// Appends, as pending, the symbols of <paramref name="source"/> from <see cref="Count"/> + 1 to
    /// <paramref name="upTo"/>: the caller knows this table is a prefix of the source (writer only).
    /// </summary>
    public void AppendFrom(SymbolTable source, int upTo)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (var id = _count + 1; id <= upTo; id++)
        {
            if (!source.TryGetSymbol(id, out var text))
            {
                throw new InvalidOperationException($"Symbol {id} is not in the source table.");
            }
            Append(text);
        }
    }

    /// <summary>Called when that transaction rolled back: forget the pending symbols.</summary>
    public void DiscardPending()
    {
        for (var i = PersistedCount; i < _count; i++)
        {
            _ids.TryRemove(_texts[i], out _);
            _texts[i] = null!;
            _marks[i] = 0;
        }
        _count = PersistedCount;
        _byReference.Clear();
        Array.Clear(_byPosition);
    }

    /// <summary>
    /// Adds symbols read from storage (written by this or another process). Ids must continue
    /// the table: <paramref name="id"/> == Count + 1. Only with no pending symbols.
    /// </summary>
    public void LoadPersisted(int id, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (PersistedCount != _count)
        {
            throw new InvalidOperationException("Load persisted symbols only when none are pending.");
        }
        if (id != _count + 1)
        {
            throw new StorageException($"Symbol ids are not contiguous: expected {_count + 1}, found {id}.", isTransient: false);
        }
        Append(text);
        PersistedCount = _count;
    }
}
