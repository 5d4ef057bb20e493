using Belfry.Core.Constituency;

namespace Belfry.Core.Tests;

public class EnterpriseNumberTests
{
    // Check digits computed independently (python): 2030000 mod 97 = 81 -> 16; 10000000 mod 97 = 76 -> 21.
    [Theory]
    [InlineData("0203.000.016", "0203000016")]
    [InlineData("BE0203000016", "0203000016")]
    [InlineData("203000016", "0203000016")]
    [InlineData("1000000021", "1000000021")]
    public void TryNormalize_ValidNumber_ReturnsTenDigits(string input, string expected)
    {
        Assert.True(EnterpriseNumber.TryNormalize(input, out var n));
        Assert.Equal(expected, n);
    }

    [Theory]
    [InlineData("0203.000.017")] // wrong check digits
    [InlineData("2203000016")] // must start with 0 or 1
    [InlineData("02030000")] // too short
    [InlineData("02030000166")]
    [InlineData("abc")]
    [InlineData("")]
    public void TryNormalize_Invalid_ReturnsFalse(string input) =>
        Assert.False(EnterpriseNumber.TryNormalize(input, out _));

    [Fact]
    public void FromBody_ProducesValidNumbers()
    {
        var rng = new Random(23768213);
        for (var i = 0; i < 1000; i++)
        {
            var n = EnterpriseNumber.FromBody(rng.Next(0, 19_999_999));
            Assert.True(EnterpriseNumber.IsValid(n), n);
        }
    }
}
