
namespace Belfry.Feeds;

/// <summary>A read-only stream that fails once more than a bound has been read from it.</summary>
public sealed class BoundedReadStream(Stream inner, long maxBytes, string name) : Stream
{
    long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Never asks the inner stream for more than one byte past the bound: memory and time stay bounded.
        var allowed = (int)Math.Min(buffer.Length, maxBytes - _read + 1);
        var n = inner.Read(buffer[..allowed]);
        Count(n);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var allowed = (int)Math.Min(buffer.Length, maxBytes - _read + 1);
        var n = await inner.ReadAsync(buffer[..allowed], cancellationToken).ConfigureAwait(false);
        Count(n);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    void Count(int n)
    {
        _read += n;
        if (_read > maxBytes)
        {
            throw new InvalidDataException($"{name} decompresses to more than {maxBytes:N0} bytes (a gzip bomb?); reading stopped there, the rows before are kept");
        }
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
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
