using System.Buffers;

namespace Belfry.Feeds.Text;

/// <summary>Caps shared by the text feed parsers.</summary>
public static class FeedLimits
{
    /// <summary>Longest record (line or JSON element) a parser accepts, in characters: 1 MiB.</summary>
    public const int MaxRecordChars = 1 << 20;

    /// <summary>Deepest JSON nesting accepted inside one record.</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Longest raw text kept in a rejection for a record over <see cref="MaxRecordChars"/>.</summary>
    public const int MaxRejectedRawChars = 1024;
}

/// <summary>
/// Forward-only line reader over a <see cref="TextReader"/> that never holds more than
/// <see cref="FeedLimits.MaxRecordChars"/> of one line: a longer line is reported as too long and
/// skipped without being buffered. Accepts LF, CRLF and lone CR endings and drops a leading BOM.
/// The returned span is valid until the next call.
/// </summary>
internal sealed class LineReader : IDisposable
{
    const int BlockChars = 16 * 1024;

    readonly TextReader _reader;
    readonly int _maxChars;
    char[] _block;
    int _blockPos;
    int _blockLen;
    char[] _line;
    bool _eof;
    bool _skipLf;
    bool _first = true;

    public LineReader(TextReader reader, int maxChars = FeedLimits.MaxRecordChars)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _maxChars = maxChars;
        _block = ArrayPool<char>.Shared.Rent(BlockChars);
        _line = ArrayPool<char>.Shared.Rent(256);
    }

    /// <summary>1-based number of the line last returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>
    /// Reads the next line. <paramref name="tooLong"/> is set when the line exceeded the cap; then
    /// <paramref name="line"/> holds only its first <see cref="FeedLimits.MaxRejectedRawChars"/> characters.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<char> line, out bool tooLong)
    {
        var len = 0;
        tooLong = false;
        var any = false;
        while (true)
        {
            if (_blockPos == _blockLen)
            {
                if (_eof || !Fill())
                {
                    break;
                }
            }
            if (_skipLf)
            {
                _skipLf = false;
                if (_block[_blockPos] == '\n')
                {
                    _blockPos++;
                    continue;
                }
            }
            any = true;
            var rest = _block.AsSpan(_blockPos, _blockLen - _blockPos);
            var end = rest.IndexOfAny('\n', '\r');
            var chunk = end < 0 ? rest : rest[..end];
            if (!tooLong)
            {
                if (len + chunk.Length > _maxChars)
                {
                    tooLong = true;
                }
                else
                {
                    EnsureLine(len + chunk.Length);
                    chunk.CopyTo(_line.AsSpan(len));
                    len += chunk.Length;
                }
                if (tooLong && len < FeedLimits.MaxRejectedRawChars)
                {
                    var take = Math.Min(chunk.Length, FeedLimits.MaxRejectedRawChars - len);
                    EnsureLine(len + take);
                    chunk[..take].CopyTo(_line.AsSpan(len));
                    len += take;
                }
            }
            if (end < 0)
            {
                _blockPos = _blockLen;
                continue;
            }
            _blockPos += end + 1;
            if (rest[end] == '\r')
            {
                _skipLf = true;
            }
            return Finish(out line, len, tooLong);
        }
        if (!any && len == 0)
        {
            line = default;
            return false;
        }
        return Finish(out line, len, tooLong);
    }

    /// <summary>
    /// Reads up to the next data line of a line-oriented feed: the loop each such parser would write
    /// again. Checks <paramref name="cancellationToken"/> once a line; rejects a line over the cap
    /// through <paramref name="run"/> (<see cref="FeedRun.RejectTooLong"/>, with its line number and
    /// the head <see cref="TryReadLine"/> kept of it); skips blank lines; and skips comment lines,
    /// handing each to <paramref name="onComment"/> first, since some feeds put their update time or
    /// their column names in a comment.
    /// </summary>
    /// <param name="run">Where a line over the cap is rejected.</param>
    /// <param name="commentChar">
    /// The character that starts a comment line (after leading white space); null for a feed without
    /// comments, where every non-blank line is data.
    /// </param>
    /// <param name="onComment">Receives each comment line, trimmed and still with its comment character; null to drop them unread.</param>
    /// <param name="cancellationToken">Checked after each line read, skipped ones included.</param>
    /// <param name="line">
    /// The data line as read (the raw text of its event or rejection), valid until the next call;
    /// <see cref="LineNumber"/> is its number.
    /// </param>
    /// <param name="trimmed">The same line without leading and trailing white space; never empty.</param>
    /// <returns>False at the end of the input.</returns>
    public bool TryReadDataLine(
        FeedRun run,
        char? commentChar,
        Action<ReadOnlySpan<char>>? onComment,
        CancellationToken cancellationToken,
        out ReadOnlySpan<char> line,
        out ReadOnlySpan<char> trimmed)
    {
        ArgumentNullException.ThrowIfNull(run);
        while (TryReadLine(out line, out var tooLong))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (tooLong)
            {
                run.RejectTooLong(LineNumber, line);
                continue;
            }
            trimmed = line.Trim();
            if (trimmed.IsEmpty)
            {
                continue;
            }
            if (commentChar is { } c && trimmed[0] == c)
            {
                onComment?.Invoke(trimmed);
                continue;
            }
            return true;
        }
        trimmed = default;
        return false;
    }

    bool Finish(out ReadOnlySpan<char> line, int len, bool tooLong)
    {
        LineNumber++;
        line = _line.AsSpan(0, len);
        if (_first)
        {
            _first = false;
            if (line.Length > 0 && line[0] == '\uFEFF')
            {
                line = line[1..];
            }
        }
        if (tooLong && line.Length > FeedLimits.MaxRejectedRawChars)
        {
            line = line[..FeedLimits.MaxRejectedRawChars];
        }
        return true;
    }

    bool Fill()
    {
        _blockLen = _reader.Read(_block, 0, _block.Length);
        _blockPos = 0;
        if (_blockLen <= 0)
        {
            _blockLen = 0;
            _eof = true;
            return false;
        }
        return true;
    }

    void EnsureLine(int needed)
    {
        if (needed <= _line.Length)
        {
            return;
        }
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(needed, Math.Min(_line.Length * 2, _maxChars + 1)));
        _line.AsSpan().CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_line);
        _line = bigger;
    }

    public void Dispose()
    {
        if (_block.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_block);
            ArrayPool<char>.Shared.Return(_line);
            _block = [];
            _line = [];
        }
    }
}
