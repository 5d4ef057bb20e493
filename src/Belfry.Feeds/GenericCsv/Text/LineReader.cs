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

    /// <summary>
    /// Most bytes a compressed input may decompress to: 8 GiB, several times the largest daily
    /// Shadowserver file of a country. Reading stops there with an error (a gzip bomb would otherwise
    /// keep the ingest busy without end).
    /// </summary>
    public const long MaxDecompressedBytes = 8L << 30;

    /// <summary>Control characters that have no place in a text record (tab, CR, LF and FF do).</summary>
    static readonly SearchValues<char> s_control = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    /// <summary>
    /// Why a record with control characters (binary data in a text feed) is rejected, or null when it
    /// has none. Such a record is quarantined alone; the rows around it are kept.
    /// </summary>
    public static string? ControlCharacterReason(ReadOnlySpan<char> record)
    {
        var at = record.IndexOfAny(s_control);
        if (at < 0)
        {
            return null;
        }
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"control characters in the record (binary data): U+{(int)record[at]:X4} at position {at + 1}");
    }

    /// <summary>
    /// The warning for a file whose rows are mostly rejected (its good rows are kept, but it is
    /// probably not what its name says, or broken), or null.
    /// </summary>
    public static string? MostlyRejectedWarning(string file, long accepted, long rejected)
    {
        var total = accepted + rejected;
        if (total == 0 || rejected * 2 <= total)
        {
            return null;
        }
        var percent = (int)(rejected * 100 / total);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"file {file}: {percent}% of rows rejected ({rejected:N0} of {total:N0}); the {accepted:N0} good rows are kept, the rest is in quarantine");
    }
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
    /// again. Checks <paramref name="cancellationToken"/> once a line; rejects a line over the cap or
    /// with control characters (<see cref="FeedLimits.ControlCharacterReason"/>)
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
            if (FeedLimits.ControlCharacterReason(line) is { } binary)
            {
                run.Reject(LineNumber, line, binary);
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
