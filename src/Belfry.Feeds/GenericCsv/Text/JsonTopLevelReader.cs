using System.Buffers;

namespace Belfry.Feeds.Text;

internal enum JsonScan
{
    /// <summary>A member was read: <c>Key</c> (object members only) and <c>Value</c> are set.</summary>
    Member,

    /// <summary>The member was longer than the cap; it was skipped, <c>Value</c> holds its start.</summary>
    TooLong,

    /// <summary>The closing bracket of the top-level container was read.</summary>
    End,

    /// <summary>The input is broken beyond this point (truncated, not JSON); <c>Error</c> says why.</summary>
    Broken,
}

/// <summary>
/// Streams the members of a top-level JSON array or object as text, one at a time, so a large feed
/// is never held whole and a bad member is skipped without losing the rest (RFC 8259 §2-§7: only
/// the bracket, string and escape structure is followed here; each member is validated by the
/// caller with <see cref="System.Text.Json.JsonDocument"/>).
/// </summary>
internal sealed class JsonTopLevelReader : IDisposable
{
    const int BlockChars = 16 * 1024;

    readonly TextReader _reader;
    readonly int _maxChars;
    char[] _block = ArrayPool<char>.Shared.Rent(BlockChars);
    int _pos;
    int _len;
    char[] _value = ArrayPool<char>.Shared.Rent(1024);
    int _valueLen;
    bool _tooLong;
    bool _first = true;
    long _line = 1;

    public JsonTopLevelReader(TextReader reader, int maxChars = FeedLimits.MaxRecordChars)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _maxChars = maxChars;
    }

    /// <summary>'[' or '{' after <see cref="TryStart"/>.</summary>
    public char Container { get; private set; }

    /// <summary>1-based line where the last member starts.</summary>
    public long Line { get; private set; }

    public string Key { get; private set; } = string.Empty;

    public ReadOnlySpan<char> Value => _value.AsSpan(0, _valueLen);

    public string? Error { get; private set; }

    /// <summary>Reads up to the opening bracket; false when the input does not start with '[' or '{'.</summary>
    public bool TryStart()
    {
        SkipSpace();
        var c = Peek();
        if (c is '[' or '{')
        {
            Read();
            Container = (char)c;
            return true;
        }
        Error = c < 0 ? "empty input" : "input does not start with a JSON array or object";
        return false;
    }

    /// <summary>
    /// The text of each complete element in turn (<see cref="Line"/> and <see cref="Key"/> describe
    /// the current one). An element over the size cap is quarantined and skipped; broken JSON is
    /// quarantined and ends the input, since nothing after it can be located reliably.
    /// </summary>
    public IEnumerable<string> Elements(FeedRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (Next())
            {
                case JsonScan.End:
                    yield break;
                case JsonScan.Broken:
                    run.Reject(Line, Value, Error!);
                    yield break;
                case JsonScan.TooLong:
                    run.RejectTooLong(Line, Value);
                    continue;
                default:
                    yield return Value.ToString();
                    break;
            }
        }
    }

    public JsonScan Next()
    {
        Error = null;
        Key = string.Empty;
        _valueLen = 0;
        _tooLong = false;
        while (true)
        {
            SkipSpace();
            var c = Peek();
            if (c == ',')
            {
                Read();
                continue;
            }
            if (c < 0)
            {
                Error = $"truncated JSON: missing the closing '{(Container == '[' ? ']' : '}')}'";
                return JsonScan.Broken;
            }
            if ((Container == '[' && c == ']') || (Container == '{' && c == '}'))
            {
                Read();
                return JsonScan.End;
            }
            break;
        }
        Line = _line;
        if (Container == '{')
        {
            if (Peek() != '"')
            {
                Error = "expected a member name";
                return JsonScan.Broken;
            }
            if (!ScanValue())
            {
                return JsonScan.Broken;
            }
            Key = Value.Length >= 2 ? Value[1..^1].ToString() : string.Empty;
            _valueLen = 0;
            _tooLong = false;
            SkipSpace();
            if (Read() != ':')
            {
                Error = $"expected ':' after member name '{Key}'";
                return JsonScan.Broken;
            }
            SkipSpace();
        }
        if (!ScanValue())
        {
            return JsonScan.Broken;
        }
        return _tooLong ? JsonScan.TooLong : JsonScan.Member;
    }

    bool ScanValue()
    {
        var c = Peek();
        if (c < 0)
        {
            Error = "truncated JSON: value missing";
            return false;
        }
        if (c == '"')
        {
            Append(Read());
            return ScanStringRest();
        }
        if (c is '{' or '[')
        {
            var depth = 0;
            while (true)
            {
                c = Read();
                if (c < 0)
                {
                    Error = "truncated JSON: the input ends inside a value";
                    return false;
                }
                Append(c);
                switch (c)
                {
                    case '"':
                        if (!ScanStringRest())
                        {
                            return false;
                        }
                        break;
                    case '{' or '[':
                        depth++;
                        break;
                    case '}' or ']':
                        depth--;
                        if (depth == 0)
                        {
                            return true;
                        }
                        break;
                    default:
                        break;
                }
            }
        }
        // A scalar (or garbage): up to the next separator.
        while (true)
        {
            c = Peek();
            if (c < 0 || c is ',' or ']' or '}' or ' ' or '\t' or '\r' or '\n')
            {
                return true;
            }
            Append(Read());
        }
    }

    bool ScanStringRest()
    {
        while (true)
        {
            var c = Read();
            if (c < 0)
            {
                Error = "truncated JSON: the input ends inside a string";
                return false;
            }
            Append(c);
            if (c == '\\')
            {
                var n = Read();
                if (n < 0)
                {
                    Error = "truncated JSON: the input ends inside a string";
                    return false;
                }
                Append(n);
            }
            else if (c == '"')
            {
                return true;
            }
        }
    }

    void Append(int c)
    {
        if (_tooLong)
        {
            return;
        }
        if (_valueLen >= _maxChars)
        {
            _tooLong = true;
            _valueLen = Math.Min(_valueLen, FeedLimits.MaxRejectedRawChars);
            return;
        }
        if (_valueLen == _value.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent(Math.Min(_value.Length * 2, _maxChars));
            _value.AsSpan(0, _valueLen).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_value);
            _value = bigger;
        }
        _value[_valueLen++] = (char)c;
    }

    void SkipSpace()
    {
        while (Peek() is ' ' or '\t' or '\r' or '\n' or '\uFEFF')
        {
            Read();
        }
    }

    int Peek()
    {
        if (_pos == _len && !Fill())
        {
            return -1;
        }
        return _block[_pos];
    }

    int Read()
    {
        if (_pos == _len && !Fill())
        {
            return -1;
        }
        var c = _block[_pos++];
        if (c == '\n')
        {
            _line++;
        }
        return c;
    }

    bool Fill()
    {
        _len = _reader.Read(_block, 0, _block.Length);
        _pos = 0;
        if (_len <= 0)
        {
            _len = 0;
            return false;
        }
        if (_first)
        {
            _first = false;
            if (_block[0] == '\uFEFF')
            {
                _pos = 1;
                return _len > 1 || Fill();
            }
        }
        return true;
    }

    public void Dispose()
    {
        if (_block.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_block);
            ArrayPool<char>.Shared.Return(_value);
            _block = [];
            _value = [];
        }
    }
}
