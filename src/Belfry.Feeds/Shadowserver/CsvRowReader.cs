using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Reads CSV rows (comma-separated, double quotes, LF, CRLF or CR line ends) straight into shared
/// text buffers, so that a row, its raw record and its text values are slices of one string that is
/// never copied again. At a million rows a second, a string per row was a fifth of the parse time
/// (allocation and the collections it causes); a buffer is one allocation per ~100 rows.
/// </summary>
/// <remarks>
/// <para>
/// Each row is scanned 64 characters at a time: vector compares give bit masks of quotes, commas and
/// line ends; a prefix XOR of the quote mask marks what lies inside quotes (a quote anywhere toggles,
/// as in Sep and most CSV readers), so separators and line ends inside quoted values are ignored
/// without looking at characters one by one. The row's quote mask is kept (<see cref="Quotes"/>):
/// the parser asks it whether a quoted value has quotes inside. Values are not unescaped here.
/// </para>
/// <para>
/// A buffer is a string made here and filled in place only past what has been handed out: rows that
/// were read are never changed. A row that does not fit what is left moves, whole, to the start of
/// the next buffer (doubled when a row is longer than a buffer). Replaces Sep on the Shadowserver
/// hot path, where Sep's own buffer made a copy of every row necessary (measured: 0.17 µs per
/// scan_http row for Sep with column access, 0.08 µs here, and the copy is gone).
/// </para>
/// </remarks>
internal sealed class CsvRowReader
{
    /// <summary>Characters per buffer: 32 Ki, below the large-object heap.</summary>
    const int BufferChars = 32 * 1024;

    /// <summary>Characters past the filled part that a 64-character load may read (and then ignore).</summary>
    const int Slack = 64;

    readonly TextReader _input;
    readonly int _maxRowChars;
    string _buffer;
    int _filled;
    bool _eof;
    int _next; // where the next row starts
    long _lines; // line ends consumed before the next row

    int _rowStart;
    int _rowLength;
    int[] _colEnds = new int[64]; // separator positions relative to the row start, then the row length
    int _colCount;
    readonly QuoteMap _quotes = new();

    /// <param name="input">The text.</param>
    /// <param name="firstLine">The line number of the text's first line (a row read again on its own).</param>
    /// <param name="maxRowChars">Longest row held: a longer one is cut while it is read (<see cref="OverlongReason"/>).</param>
    public CsvRowReader(TextReader input, long firstLine = 1, int maxRowChars = ShadowserverParser.MaxRowChars)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstLine, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowChars, 64);
        _input = input;
        _maxRowChars = maxRowChars;
        _buffer = NewBuffer(BufferChars);
        _lines = firstLine - 1;
    }

    /// <summary>
    /// Why the current row was cut, or null: a row that reached the bound without its end (a quote
    /// never closed, no line end, binary data) is not held whole. <see cref="Row"/> is then only its
    /// first line, or the first <see cref="MaxKeptOfOverlong"/> characters of a line without end, and
    /// reading goes on at the next line. Its values are not split.
    /// </summary>
    public string? OverlongReason { get; private set; }

    /// <summary>Characters kept of a single overlong line (for its rejection).</summary>
    public const int MaxKeptOfOverlong = ShadowserverParser.MaxRejectedRawChars;

    /// <summary>Whether the current row has line ends inside quotes (it spans several lines).</summary>
    public bool HasQuotedLineEnds { get; private set; }

    /// <summary>The string that holds the current row (and earlier ones): slices of it stay valid.</summary>
    public string Buffer => _buffer;

    /// <summary>Where the current row starts in <see cref="Buffer"/>.</summary>
    public int RowStart => _rowStart;

    /// <summary>The current row, without its line end.</summary>
    public ReadOnlySpan<char> Row => _buffer.AsSpan(_rowStart, _rowLength);

    /// <summary>1-based line number of the current row's first line.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Values in the current row (separators outside quotes + 1).</summary>
    public int ColCount => _colCount;

    /// <summary>The current row's quotes, by position in the row.</summary>
    public QuoteMap Quotes => _quotes;

    /// <summary>Value <paramref name="index"/> of the current row as written (quotes kept).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<char> Col(int index)
    {
        if ((uint)index >= (uint)_colCount)
        {
            ThrowNoColumn(index);
        }
        var start = index == 0 ? 0 : _colEnds[index - 1] + 1;
        return _buffer.AsSpan(_rowStart + start, _colEnds[index] - start);
    }

    /// <summary>Moves to the next row; false at the end of the input.</summary>
    public bool MoveNext()
    {
        if (_skipLine)
        {
            SkipRestOfLine();
        }
        OverlongReason = null;
        while (true)
        {
            if (_next >= _filled && _eof)
            {
                return false;
            }
            if (TryScanRow())
            {
                return true;
            }
            if (_filled - _next > _maxRowChars)
            {
                // Bounded while reading: the row is cut here instead of growing the buffer on.
                CutOverlong();
                return true;
            }
            // The row runs past what has been read: move it to a new buffer and read on.
            Refill();
        }
    }

    bool _skipLine; // the current row is the head of a line without end: skip to its end first

    /// <summary>
    /// Ends a row that is longer than the bound. With a line end in it (inside a quote that was never
    /// closed) the row is its first line and reading goes on at the second, so the lines the open quote
    /// took in are read as rows again; without one, the row is the line's head and the rest of the
    /// line is skipped, unread into memory.
    /// </summary>
    void CutOverlong()
    {
        var start = _next;
        var text = _buffer.AsSpan(start, _filled - start);
        var end = text.IndexOfAny('\r', '\n');
        int length;
        if (end >= 0)
        {
            length = end;
            var next = start + end + 1;
            if (text[end] == '\r' && next < _filled && _buffer[next] == '\n')
            {
                next++;
            }
            _next = next;
            OverlongReason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"a quote opened in this line is not closed within {_maxRowChars} characters; the lines after it are read as rows again");
        }
        else
        {
            length = Math.Min(text.Length, MaxKeptOfOverlong);
            _next = _filled;
            _skipLine = true;
            OverlongReason = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"row longer than {_maxRowChars} characters without a line end; its first {length} are kept");
        }
        _rowStart = start;
        _rowLength = length;
        _colEnds[0] = length;
        _colCount = 1;
        _quotes.SetLength(0);
        HasQuotedLineEnds = false;
        LineNumber = _lines + 1;
        _lines++;
    }

    /// <summary>Reads on, without keeping it, to the end of the line whose head was the last row.</summary>
    void SkipRestOfLine()
    {
        _skipLine = false;
        // The buffer of the cut row stays as it is (its head may still be referenced); what follows
        // the line end goes into a new one.
        var scratch = System.Buffers.ArrayPool<char>.Shared.Rent(BufferChars);
        try
        {
            while (true)
            {
                var n = _input.Read(scratch, 0, BufferChars);
                if (n == 0)
                {
                    _eof = true;
                    return;
                }
                var end = scratch.AsSpan(0, n).IndexOfAny('\r', '\n');
                if (end < 0)
                {
                    continue;
                }
                var next = end + 1;
                if (scratch[end] == '\r' && next == n)
                {
                    // A CR at the end of what was read: an LF right after it belongs to the same line end.
                    if (_input.Peek() == '\n')
                    {
                        _input.Read();
                    }
                }
                else if (scratch[end] == '\r' && scratch[next] == '\n')
                {
                    next++;
                }
                _buffer = NewBuffer(BufferChars);
                scratch.AsSpan(next, n - next).CopyTo(Writable(_buffer));
                _filled = n - next;
                _next = 0;
                return;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(scratch);
        }
    }

    /// <summary>Scans the row at <see cref="_next"/>; false when more input is needed to see its end.</summary>
    bool TryScanRow()
    {
        var start = _next;
        ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(_buffer.AsSpan()));
        var pos = start;
        ulong inside = 0; // all ones while inside quotes at the end of the previous block
        var cols = 0;
        var quotedLineEnds = false;
        while (true)
        {
            var valid = _filled - pos;
            if (valid <= 0)
            {
                if (!_eof)
                {
                    return false;
                }
                End(start, _filled, _filled, cols, quotedLineEnds);
                return true;
            }
            Masks(ref chars, pos, out var q, out var c, out var n);
            var validMask = valid >= 64 ? ulong.MaxValue : (1UL << valid) - 1;
            q &= validMask;
            c &= validMask;
            n &= validMask;
            var x = q;
            x ^= x << 1;
            x ^= x << 2;
            x ^= x << 4;
            x ^= x << 8;
            x ^= x << 16;
            x ^= x << 32;
            x ^= inside;
            inside = (ulong)-(long)(x >> 63);
            // x now has a bit from each opening quote up to, not including, its closing quote: what
            // lies inside quotes. Line ends there belong to the value (and still count as lines).
            quotedLineEnds |= (n & x) != 0;
            n &= ~x;
            c &= ~x;
            _quotes.SetWord((pos - start) >> 6, q);
            if (n != 0)
            {
                var t = BitOperations.TrailingZeroCount(n);
                var end = pos + t;
                if (chars.At(end) == '\r' && end + 1 >= _filled && !_eof)
                {
                    return false; // a CR at the end of what was read: is an LF next?
                }
                c &= (1UL << t) - 1;
                cols = AddSeparators(c, pos - start, cols);
                var next = end + 1;
                if (chars.At(end) == '\r' && next < _filled && chars.At(next) == '\n')
                {
                    next++;
                }
                End(start, end, next, cols, quotedLineEnds);
                return true;
            }
            cols = AddSeparators(c, pos - start, cols);
            pos += 64;
        }
    }

    int AddSeparators(ulong c, int offset, int cols)
    {
        if (c == 0)
        {
            return cols;
        }
        if (_colEnds.Length < cols + 65)
        {
            Array.Resize(ref _colEnds, Math.Max(_colEnds.Length * 2, cols + 65));
        }
        var ends = _colEnds;
        while (c != 0)
        {
            ends[cols++] = offset + BitOperations.TrailingZeroCount(c);
            c &= c - 1;
        }
        return cols;
    }

    void End(int start, int end, int next, int separators, bool quotedLineEnds)
    {
        _rowStart = start;
        _rowLength = end - start;
        if (_colEnds.Length < separators + 1)
        {
            Array.Resize(ref _colEnds, separators + 1);
        }
        _colEnds[separators] = _rowLength;
        _colCount = separators + 1;
        _quotes.SetLength(_rowLength);
        LineNumber = _lines + 1;
        HasQuotedLineEnds = quotedLineEnds && CountLineEnds(_buffer.AsSpan(start, _rowLength)) > 0;
        _lines += 1 + (quotedLineEnds ? CountLineEnds(_buffer.AsSpan(start, _rowLength)) : 0);
        _next = next;
    }

    static int CountLineEnds(ReadOnlySpan<char> s)
    {
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\n' || (s[i] == '\r' && (i + 1 == s.Length || s[i + 1] != '\n')))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>Starts a new buffer with the unfinished row at its start and reads as much as fits.</summary>
    void Refill()
    {
        var partial = _filled - _next;
        var size = Math.Max(BufferChars, partial * 2);
        var buffer = partial == 0 && _filled == 0 ? _buffer : NewBuffer(size);
        if (!ReferenceEquals(buffer, _buffer))
        {
            _buffer.AsSpan(_next, partial).CopyTo(Writable(buffer));
            _buffer = buffer;
            _filled = partial;
            _next = 0;
        }
        var free = Writable(_buffer)[_filled..^Slack];
        while (!free.IsEmpty)
        {
            var n = _input.Read(free);
            if (n == 0)
            {
                _eof = true;
                break;
            }
            _filled += n;
            free = free[n..];
        }
    }

    static string NewBuffer(int chars) => new('\0', chars + Slack);

    // The one place a buffer is written: only past what rows have been handed out of (see the remarks).
    static Span<char> Writable(string buffer) => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(buffer.AsSpan()), buffer.Length);

    /// <summary>Bit masks of quotes, commas and line ends (CR or LF) in the 64 characters at <paramref name="pos"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Masks(ref ushort chars, int pos, out ulong quotes, out ulong commas, out ulong lineEnds)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.LoadUnsafe(ref chars, (nuint)pos);
            var b = Vector512.LoadUnsafe(ref chars, (nuint)(pos + 32));
            quotes = Vector512.Equals(a, Vector512.Create((ushort)'"')).ExtractMostSignificantBits() |
                (Vector512.Equals(b, Vector512.Create((ushort)'"')).ExtractMostSignificantBits() << 32);
            commas = Vector512.Equals(a, Vector512.Create((ushort)',')).ExtractMostSignificantBits() |
                (Vector512.Equals(b, Vector512.Create((ushort)',')).ExtractMostSignificantBits() << 32);
            lineEnds = (Vector512.Equals(a, Vector512.Create((ushort)'\n')) | Vector512.Equals(a, Vector512.Create((ushort)'\r'))).ExtractMostSignificantBits() |
                ((Vector512.Equals(b, Vector512.Create((ushort)'\n')) | Vector512.Equals(b, Vector512.Create((ushort)'\r'))).ExtractMostSignificantBits() << 32);
            return;
        }
        if (Vector256.IsHardwareAccelerated)
        {
            quotes = commas = lineEnds = 0;
            for (var k = 0; k < 64; k += 16)
            {
                var v = Vector256.LoadUnsafe(ref chars, (nuint)(pos + k));
                quotes |= (ulong)Vector256.Equals(v, Vector256.Create((ushort)'"')).ExtractMostSignificantBits() << k;
                commas |= (ulong)Vector256.Equals(v, Vector256.Create((ushort)',')).ExtractMostSignificantBits() << k;
                lineEnds |= (ulong)(Vector256.Equals(v, Vector256.Create((ushort)'\n')) | Vector256.Equals(v, Vector256.Create((ushort)'\r'))).ExtractMostSignificantBits() << k;
            }
            return;
        }
        quotes = commas = lineEnds = 0;
        for (var k = 0; k < 64; k++)
        {
            var ch = Unsafe.Add(ref chars, pos + k);
            quotes |= (ulong)(ch == '"' ? 1 : 0) << k;
            commas |= (ulong)(ch == ',' ? 1 : 0) << k;
            lineEnds |= (ulong)(ch is '\n' or '\r' ? 1 : 0) << k;
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    static void ThrowNoColumn(int index) => throw new ArgumentOutOfRangeException(nameof(index), index, "The row has no such column.");
}

file static class CharRefExtensions
{
    /// <summary>The character at <paramref name="index"/> from <paramref name="chars"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static char At(this ref ushort chars, int index) => (char)Unsafe.Add(ref chars, index);
}
