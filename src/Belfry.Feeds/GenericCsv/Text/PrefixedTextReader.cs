namespace Belfry.Feeds.Text;

/// <summary>A reader that first returns text already taken from an input (for sniffing) and then the rest of it.</summary>
internal sealed class PrefixedTextReader(string prefix, TextReader rest) : TextReader
{
    int _pos;

    /// <summary>Reads up to <paramref name="chars"/> characters of <paramref name="input"/> for sniffing and returns a reader over the whole input.</summary>
    public static TextReader Sniff(TextReader input, int chars, out string head)
    {
        var buf = new char[chars];
        var n = 0;
        while (n < chars)
        {
            var r = input.Read(buf, n, chars - n);
            if (r <= 0)
            {
                break;
            }
            n += r;
        }
        head = new string(buf, 0, n);
        return new PrefixedTextReader(head, input);
    }

    public override int Peek() => _pos < prefix.Length ? prefix[_pos] : rest.Peek();

    public override int Read() => _pos < prefix.Length ? prefix[_pos++] : rest.Read();

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override int Read(Span<char> buffer)
    {
        if (_pos < prefix.Length)
        {
            var n = Math.Min(buffer.Length, prefix.Length - _pos);
            prefix.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
        return rest.Read(buffer);
    }
}
