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
        var bits = _bits.AsSpan(0, words);
        bits.Clear();
        _length = row.Length;
        ref var start = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(row));
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((ushort)'"');
            for (; i + Vector256<ushort>.Count <= row.Length; i += Vector256<ushort>.Count)
            {
                var mask = (ulong)Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), quote).ExtractMostSignificantBits();
                if (mask != 0)
                {
                    // 16 characters never straddle a 64-bit word: i is a multiple of 16.
                    bits[i >> 6] |= mask << (i & 63);
                }
            }
        }
        for (; i < row.Length; i++)
        {
            if (row[i] == '"')
            {
                bits[i >> 6] |= 1UL << (i & 63);
            }
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
