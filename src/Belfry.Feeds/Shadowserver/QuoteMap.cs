using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Where a row's quote characters are, one bit per character, found with vector compares once per
/// row. Sep hands the parser each column with its quotes (it does not unescape, so that values stay
/// slices of the row); a quoted column is the text between its quotes unless a quote is inside it,
/// and that question, asked of ~15 quoted columns per row, is then a couple of bit tests instead of
/// a scan of each value (which was a twentieth of the parse time).
/// </summary>
internal sealed class QuoteMap
{
    ulong[] _bits = new ulong[16];
    int _length;

    /// <summary>Maps the quotes of <paramref name="row"/>.</summary>
    public void Build(ReadOnlySpan<char> row)
    {
        var words = (row.Length + 63) >> 6;
        if (_bits.Length < words)
        {
            _bits = new ulong[Math.Max(words, _bits.Length * 2)];
        }
        _length = row.Length;
        ref var start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(row));
        var w = 0;
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 64 characters to a word: two compares, each word written whole (no clearing, no branch).
            var quote = Vector512.Create((ushort)'"');
            for (; i + 64 <= row.Length; i += 64, w++)
            {
                var low = Vector512.Equals(Vector512.LoadUnsafe(ref start, (nuint)i), quote).ExtractMostSignificantBits();
                var high = Vector512.Equals(Vector512.LoadUnsafe(ref start, (nuint)(i + 32)), quote).ExtractMostSignificantBits();
                _bits[w] = low | (high << 32);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((ushort)'"');
            for (; i + 64 <= row.Length; i += 64, w++)
            {
                var a = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), quote).ExtractMostSignificantBits();
                var b = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + 16)), quote).ExtractMostSignificantBits();
                var c = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + 32)), quote).ExtractMostSignificantBits();
                var d = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)(i + 48)), quote).ExtractMostSignificantBits();
                _bits[w] = a | ((ulong)b << 16) | ((ulong)c << 32) | ((ulong)d << 48);
            }
        }
        if (i < row.Length)
        {
            // The last, partial word.
            ulong last = 0;
            for (var k = 0; i + k < row.Length; k++)
            {
                if (Unsafe.Add(ref start, i + k) == '"')
                {
                    last |= 1UL << k;
                }
            }
            _bits[w] = last;
        }
    }

    /// <summary>Whether any of the <paramref name="length"/> characters from <paramref name="start"/> is a quote.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool AnyIn(int start, int length)
    {
        if (length <= 0)
        {
            return false;
        }
        if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start))
        {
            ThrowOutsideRow();
        }
        var shift = start & 63;
        if (length <= 64 - shift)
        {
            // Inside one word: most values are.
            return ((_bits[start >> 6] >> shift) & (ulong.MaxValue >> (64 - length))) != 0;
        }
        return AnyAcrossWords(start, length);
    }

    bool AnyAcrossWords(int start, int length)
    {
        var end = start + length; // exclusive
        var first = start >> 6;
        var last = (end - 1) >> 6;
        if ((_bits[first] & (ulong.MaxValue << (start & 63))) != 0 || (_bits[last] & (ulong.MaxValue >> (63 - ((end - 1) & 63)))) != 0)
        {
            return true;
        }
        for (var w = first + 1; w < last; w++)
        {
            if (_bits[w] != 0)
            {
                return true;
            }
        }
        return false;
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    static void ThrowOutsideRow() => throw new ArgumentOutOfRangeException("start", "The range is not inside the mapped row.");

    /// <summary>Characters in the mapped row.</summary>
    public int Length => _length;

    /// <summary>Quotes in the mapped row.</summary>
    public int Count
    {
        get
        {
            var n = 0;
            for (var w = 0; w < (_length + 63) >> 6; w++)
            {
                n += BitOperations.PopCount(_bits[w]);
            }
            return n;
        }
    }
}
