namespace Belfry.Pipeline;

/// <summary>
/// One named input of an ingest run: a file, an upload, a mail attachment. The name is what reports
/// and the quarantine show and what format detection sees; compression is found from the content
/// (gzip magic bytes), not from the name.
/// </summary>
public abstract class IngestInput
{
    protected IngestInput(string name, long? length)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Length = length;
    }

    /// <summary>The input's name as reports show it (a file's path, an upload's file name).</summary>
    public string Name { get; }

    /// <summary>Bytes of the input as stored (compressed, if it is), when known; for progress only.</summary>
    public long? Length { get; }

    /// <summary>Opens the input's bytes; the pipeline opens each input once and disposes the stream.</summary>
    public abstract Stream Open();

    public override string ToString() => Name;

    public static IngestInput FromFile(string path) => new FileInput(path);

    /// <summary>An input from an open stream (read once, from its current position); the pipeline disposes it.</summary>
    public static IngestInput FromStream(string name, Stream stream, long? length = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new StreamInput(name, stream, length ?? (stream.CanSeek ? stream.Length - stream.Position : null));
    }

    public static IngestInput FromBytes(string name, ReadOnlyMemory<byte> bytes) => new BytesInput(name, bytes);

    /// <summary>Paths to inputs: a directory gives its files (sorted, without dot files and .license files); a missing path is refused.</summary>
    internal static IEnumerable<IngestInput> FromPaths(IReadOnlyList<string> paths, IngestSummary summary)
    {
        foreach (var input in paths)
        {
            if (Directory.Exists(input))
            {
                foreach (var f in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(f);
                    if (!name.StartsWith('.') && !name.EndsWith(".license", StringComparison.Ordinal))
                    {
                        yield return FromFile(f);
                    }
                }
            }
            else if (File.Exists(input))
            {
                yield return FromFile(input);
            }
            else
            {
                summary.RefusedFiles.Add(new(input, "no such file or directory"));
            }
        }
    }

    sealed class FileInput(string path) : IngestInput(path, new FileInfo(path).Length)
    {
        public override Stream Open() =>
            new FileStream(Name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    }

    sealed class StreamInput(string name, Stream stream, long? length) : IngestInput(name, length)
    {
        int _opened;

        public override Stream Open() =>
            Interlocked.Exchange(ref _opened, 1) == 0 ? stream : throw new InvalidOperationException($"the stream of input {Name} was already read");
    }

    sealed class BytesInput(string name, ReadOnlyMemory<byte> bytes) : IngestInput(name, bytes.Length)
    {
        public override Stream Open() =>
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(bytes.ToArray(), writable: false);
    }
}
