using Belfry.Feeds.Shadowserver;

namespace Belfry.Feeds.Tests.Shadowserver;

public sealed class QuoteMapTests
{
    [Fact]
    public void AnyIn_RandomRowsAndRanges_AgreesWithAPlainScan()
    {
        var random = new Random(7);
        var map = new QuoteMap();
        for (var round = 0; round < 300; round++)
        {
            // Lengths around the 16-character vectors and 64-bit words, quotes anywhere.
            var length = random.Next(0, 300);
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = random.Next(10) == 0 ? '"' : (char)random.Next('a', 'z' + 1);
            }
            var row = new string(chars);
            Map(map, row);

            Assert.Equal(row.Count(c => c == '"'), map.Count);
            for (var probe = 0; probe < 50 && length > 0; probe++)
            {
                var start = random.Next(0, length);
                var count = random.Next(0, length - start + 1);
                Assert.Equal(row.AsSpan(start, count).Contains('"'), map.AnyIn(start, count));
            }
        }
    }

    [Fact]
    public void SetLength_ShorterRowAfterLonger_ForgetsTheLongerRowsQuotes()
    {
        var map = new QuoteMap();
        Map(map, new string('"', 200));
        Map(map, "abc\"def\"\"\""); // quotes past the row's 7 characters are dropped
        map.SetLength(7);

        Assert.Equal(1, map.Count);
        Assert.False(map.AnyIn(0, 3));
        Assert.True(map.AnyIn(3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => map.AnyIn(5, 10));
    }

    /// <summary>Fills the map the way the reader does, a 64-character word at a time.</summary>
    static void Map(QuoteMap map, string row)
    {
        for (var w = 0; w * 64 < row.Length; w++)
        {
            ulong bits = 0;
            for (var k = 0; k < 64 && w * 64 + k < row.Length; k++)
            {
                if (row[w * 64 + k] == '"')
                {
                    bits |= 1UL << k;
                }
            }
            map.SetWord(w, bits);
        }
        map.SetLength(row.Length);
    }
}
