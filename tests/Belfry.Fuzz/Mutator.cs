using System.Buffers.Binary;

namespace Belfry.Fuzz;

/// <summary>
/// Structure-unaware mutations in the style of AFL/libFuzzer, with a bias to the places flow formats
/// keep their counts and lengths (16- and 32-bit big-endian fields on 2- and 4-byte boundaries).
/// Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class Mutator(Random rng)
{
    /// <summary>Values that sit on the edges decoders check: zero, one, sign bits, all ones, header-sized lengths.</summary>
    static readonly uint[] s_interesting = [0, 1, 2, 3, 4, 5, 8, 16, 20, 24, 48, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF];

    public const int MaxLength = 65_535;

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var d = new List<byte>(input);
        var n = 1 + rng.Next(rng.Next(2) == 0 ? 3 : 10);
        for (var i = 0; i < n; i++)
        {
            MutateOnce(d, corpus);
        }
        if (d.Count > MaxLength)
        {
            d.RemoveRange(MaxLength, d.Count - MaxLength);
        }
        return [.. d];
    }

    void MutateOnce(List<byte> d, IReadOnlyList<byte[]> corpus)
    {
        if (d.Count == 0)
        {
            d.Add((byte)rng.Next(256));
            return;
        }
        switch (rng.Next(12))
        {
            case 0:
                d[rng.Next(d.Count)] ^= (byte)(1 << rng.Next(8));
                break;
            case 1:
                d[rng.Next(d.Count)] = (byte)rng.Next(256);
                break;
            case 2:
            case 3:
                WriteInteresting(d, 2);
                break;
            case 4:
                WriteInteresting(d, 4);
                break;
            case 5:
                {
                    // Small arithmetic on a 16-bit field: lengths and counts off by a little.
                    var at = Aligned(d.Count, 2);
                    if (at + 2 <= d.Count)
                    {
                        var v = (ushort)((d[at] << 8) | d[at + 1]);
                        v = (ushort)(v + rng.Next(-8, 9));
                        d[at] = (byte)(v >> 8);
                        d[at + 1] = (byte)v;
                    }
                    break;
                }
            case 6:
                {
                    var at = rng.Next(d.Count + 1);
                    var count = 1 + rng.Next(16);
                    var bytes = new byte[count];
                    rng.NextBytes(bytes);
                    d.InsertRange(at, bytes);
                    break;
                }
            case 7:
                {
                    var at = rng.Next(d.Count);
                    d.RemoveRange(at, Math.Min(d.Count - at, 1 + rng.Next(32)));
                    break;
                }
            case 8:
                {
                    // Duplicate a chunk: repeated sets, records, templates.
                    var at = rng.Next(d.Count);
                    var len = Math.Min(d.Count - at, 1 + rng.Next(256));
                    var chunk = d.GetRange(at, len);
                    d.InsertRange(rng.Next(d.Count + 1), chunk);
                    break;
                }
            case 9:
                {
                    var cut = rng.Next(d.Count);
                    d.RemoveRange(cut, d.Count - cut);
                    break;
                }
            case 10:
                {
                    // Splice: the head of this input with the tail of another.
                    var other = corpus[rng.Next(corpus.Count)];
                    if (other.Length > 0)
                    {
                        var cut = rng.Next(d.Count);
                        var from = rng.Next(other.Length);
                        d.RemoveRange(cut, d.Count - cut);
                        d.AddRange(other.AsSpan(from).ToArray());
                    }
                    break;
                }
            default:
                {
                    // Overwrite a run with random bytes.
                    var at = rng.Next(d.Count);
                    var len = Math.Min(d.Count - at, 1 + rng.Next(8));
                    for (var i = 0; i < len; i++)
                    {
                        d[at + i] = (byte)rng.Next(256);
                    }
                    break;
                }
        }
    }

    void WriteInteresting(List<byte> d, int width)
    {
        var at = Aligned(d.Count, width);
        if (at + width > d.Count)
        {
            return;
        }
        var v = s_interesting[rng.Next(s_interesting.Length)];
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, v);
        for (var i = 0; i < width; i++)
        {
            d[at + i] = b[4 - width + i];
        }
    }

    int Aligned(int length, int width) => rng.Next(3) == 0 ? rng.Next(length) : rng.Next(Math.Max(1, length / width)) * width;
}
