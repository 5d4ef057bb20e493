using System.Runtime.InteropServices;

namespace Belfry.Core.Events;

/// <summary>
/// Copies the records of a file, one after the other, into shared strings ("chunks") of a few
/// thousand characters, so that a record's raw text and its text fields are slices of a chunk
/// (<see cref="Event.SetRaw"/>, <see cref="FieldValue.OfSlice"/>) instead of a string per record.
/// At a million rows per second, one string per row was a fifth of the parse time (allocation and
/// the collections it causes); a chunk is one allocation per ~50 rows.
/// </summary>
/// <remarks>
/// A chunk is a string made here and filled in place before anything can see the characters being
/// written: each record's characters are written once, before its slice is handed out, and never
/// changed after, so to every reader the chunk is as immutable as any string. A chunk stays alive
/// as long as any event still refers to it. One writer per parse (not thread-safe).
/// </remarks>
public sealed class TextChunkWriter
{
    /// <summary>Characters per chunk: 32 KiB, below the large-object heap.</summary>
    public const int DefaultChunkChars = 16 * 1024;

    readonly int _chunkChars;
    string? _chunk;
    int _used;

    public TextChunkWriter(int chunkChars = DefaultChunkChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkChars, 16);
        _chunkChars = chunkChars;
    }

    /// <summary>
    /// Copies <paramref name="text"/> into the current chunk (a new one when it does not fit; a
    /// record longer than a quarter of a chunk gets a string of its own) and returns where it is.
    /// </summary>
    public string Append(ReadOnlySpan<char> text, out int start)
    {
        if (text.Length > _chunkChars / 4)
        {
            start = 0;
            return text.ToString();
        }
        if (_chunk is null || _used + text.Length > _chunk.Length)
        {
            _chunk = new string('\0', _chunkChars);
            _used = 0;
        }
        // The one place a string is written: see the remarks.
        var chars = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(_chunk.AsSpan()), _chunk.Length);
        text.CopyTo(chars[_used..]);
        start = _used;
        _used += text.Length;
        return _chunk;
    }
}
