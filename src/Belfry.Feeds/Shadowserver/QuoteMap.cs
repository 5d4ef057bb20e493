using System.Numerics;
using System.Runtime.CompilerServices;

namespace Belfry.Feeds.Shadowserver;

/// <summary>
/// Where a row's quote characters are, one bit per character, as <see cref="CsvRowReader"/> finds
/// them. The reader hands the parser each value with its quotes (it does not unescape, so that values
/// stay slices of the row); a quoted value is the text between its quotes unless a quote is inside
/// it, and that question, asked of ~15 quoted values per row, is then a couple of bit tests instead
/// of a scan of each value (which was a twentieth of the parse time).
/// </summary>
internal sealed class QuoteMap
{
    ulong[] _bits = new ulong[16];
    int _length;

    /// <summary>Sets the quotes of characters 64 × <paramref name="word"/> to 64 × <paramref name="word"/> + 63 (a reader that finds them itself).</summary>
    public void SetWord(int word, ulong bits)
    {
        if (word >= _bits.Length)
        {
            Array.Resize(ref _bits, Math.Max(word + 1, _bits.Length * 2));
        }
        _bits[word] = bits;
    }

    /// <summary>Ends a map made with <see cref="SetWord"/>: the row is <paramref name="length"/> characters (later bits are dropped).</summary>
    public void SetLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var words = (length + 63) >> 6;
        if (_bits.Length < words)
        {
            Array.Resize(ref _bits, words);
        }
        if ((length & 63) != 0)
        {
            _bits[words - 1] &= (1UL << (length & 63)) - 1;
        }
        _length = length;
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
