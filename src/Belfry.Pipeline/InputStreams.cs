using System.IO.Compression;
using System.Text;
using Belfry.Feeds;

namespace Belfry.Pipeline;

/// <summary>
/// An input's bytes as the parser reads them: gzip found by its magic bytes and decompressed (with a
/// bound), and the head read once for format detection and then replayed, so any stream (an
/// unseekable upload too) is opened and read only once.
/// </summary>
static class InputStreams
{
    /// <summary>Bytes of decompressed text format detection sees (at least <see cref="ProbeChars"/> characters of ASCII).</summary>
    const int ProbeBytes = 32 * 1024;

    const int ProbeChars = 8192;

    /// <summary>
    /// Wraps <paramref name="raw"/> (the input's bytes, compressed or not) into the text bytes and
    /// returns the head as text. The returned stream owns <paramref name="raw"/>.
    /// </summary>
    public static Stream OpenText(Stream raw, long maxDecompressedBytes, string name, out string head)
    {
        var magic = new byte[2];
        var n = raw.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        Stream stream = new ReplayStream(magic.AsMemory(0, n), raw);
        if (n == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            stream = new BoundedReadStream(new GZipStream(stream, CompressionMode.Decompress), maxDecompressedBytes, name);
        }
        var buf = new byte[ProbeBytes];
        var got = stream.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
        using (var probe = new StreamReader(new MemoryStream(buf, 0, got, writable: false), Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            var chars = new char[ProbeChars];
            var c = probe.ReadBlock(chars, 0, chars.Length);
            head = new string(chars, 0, c);
        }
        return new ReplayStream(buf.AsMemory(0, got), stream);
    }

    /// <summary>The name format detection sees: a ".gz" suffix says nothing about the content inside.</summary>
    public static string ProbeName(string name)
    {
        var file = Path.GetFileName(name);
        return file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? file[..^3] : file;
    }

    /// <summary>Bytes already read from a stream, then the rest of it.</summary>
    sealed class ReplayStream(ReadOnlyMemory<byte> head, Stream rest) : Stream
    {
        ReadOnlyMemory<byte> _head = head;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_head.IsEmpty)
            {
                return rest.Read(buffer);
            }
            var n = Math.Min(buffer.Length, _head.Length);
            _head.Span[..n].CopyTo(buffer);
            _head = _head[n..];
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
