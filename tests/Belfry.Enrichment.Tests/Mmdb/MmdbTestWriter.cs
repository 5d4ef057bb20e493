using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Belfry.Core.Net;

namespace Belfry.Enrichment.Tests.Mmdb;

/// <summary>
/// A small MaxMind DB (format 2.0) writer for tests, written from the public specification
/// (https://maxmind.github.io/MaxMind-DB/): a binary search tree with 24-bit records, a 16-byte
/// separator, the data section, then "\xAB\xCD\xEFMaxMind.com" and the metadata map.
/// In an IPv6 database IPv4 networks live under ::/96 (IPv4 address a.b.c.d as ::a.b.c.d).
/// </summary>
sealed class MmdbTestWriter(int ipVersion, string databaseType)
{
    const int RecordSize = 24;
    static readonly byte[] s_metadataMarker = [0xAB, 0xCD, 0xEF, .. "MaxMind.com"u8];

    readonly Node _root = new();
    readonly List<(UInt128 Bits, int Length, object Value)> _networks = [];

    /// <summary>Adds a network with its record (a map of string to string/uint/map values).</summary>
    public MmdbTestWriter Add(string cidr, object value)
    {
        var p = NetPrefix.Parse(cidr);
        UInt128 bits;
        int length;
        if (ipVersion == 4)
        {
            if (!p.IsV4)
            {
                throw new ArgumentException("IPv6 network in an IPv4 database", nameof(cidr));
            }
            bits = (UInt128)p.Network.V4 << 96; // the tree walks the 32 bits from the top
            length = p.Length;
        }
        else
        {
            bits = p.IsV4 ? p.Network.V4 : p.Network.Value; // IPv4 under ::/96
            length = p.IsV4 ? 96 + p.Length : p.Length;
        }
        _networks.Add((bits, length, value));
        return this;
    }

    public byte[] Build()
    {
        var data = new DataWriter();
        // Less specific first, so that a nested network splits its parent's record.
        foreach (var (bits, length, value) in _networks.OrderBy(n => n.Length))
        {
            var offset = data.Write(value);
            Insert(bits, length, offset);
        }

        var nodes = new List<Node>();
        Number(_root, nodes);
        var nodeCount = nodes.Count;
        var tree = new byte[nodeCount * RecordSize * 2 / 8];
        for (var i = 0; i < nodes.Count; i++)
        {
            WriteRecord(tree.AsSpan(i * 6, 3), Resolve(nodes[i].Left, nodeCount));
            WriteRecord(tree.AsSpan((i * 6) + 3, 3), Resolve(nodes[i].Right, nodeCount));
        }

        var meta = new DataWriter();
        meta.WriteMetadata(new Dictionary<string, object>
        {
            ["node_count"] = new Uint32((uint)nodeCount),
            ["record_size"] = new Uint16(RecordSize),
            ["ip_version"] = new Uint16((ushort)ipVersion),
            ["database_type"] = databaseType,
            ["languages"] = new object[] { "en" },
            ["binary_format_major_version"] = new Uint16(2),
            ["binary_format_minor_version"] = new Uint16(0),
            ["build_epoch"] = new Uint64(1_700_000_000),
            ["description"] = new Dictionary<string, object> { ["en"] = "Belfry test database" },
        });

        using var ms = new MemoryStream();
        ms.Write(tree);
        ms.Write(new byte[16]);
        ms.Write(data.ToArray());
        ms.Write(s_metadataMarker);
        ms.Write(meta.ToArray());
        return ms.ToArray();
    }

    void Insert(UInt128 bits, int length, int dataOffset)
    {
        var node = _root;
        var depth = ipVersion == 4 ? 32 : 128;
        for (var i = 0; i < length; i++)
        {
            var bit = (int)((bits >> (127 - i)) & 1);
            ref var record = ref bit == 0 ? ref node.Left : ref node.Right;
            if (i == length - 1)
            {
                record = Record.Data(dataOffset);
                return;
            }
            if (record.Child is null)
            {
                // Push an existing (less specific) value down to both halves.
                var inherited = record;
                record = Record.To(new Node { Left = inherited, Right = inherited });
            }
            node = record.Child!;
        }
        if (length == 0 || length > depth)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
    }

    static void Number(Node node, List<Node> nodes)
    {
        node.Index = nodes.Count;
        nodes.Add(node);
        if (node.Left.Child is { } l)
        {
            Number(l, nodes);
        }
        if (node.Right.Child is { } r)
        {
            Number(r, nodes);
        }
    }

    // Spec: a record below node_count is a node; equal to node_count, "no data"; above it, a
    // pointer into the data section at (record - node_count - 16).
    static int Resolve(Record r, int nodeCount) =>
        r.Child is { } c ? c.Index : r.DataOffset is { } d ? nodeCount + 16 + d : nodeCount;

    static void WriteRecord(Span<byte> dest, int value)
    {
        dest[0] = (byte)(value >> 16);
        dest[1] = (byte)(value >> 8);
        dest[2] = (byte)value;
    }

    sealed class Node
    {
        public Record Left;
        public Record Right;
        public int Index;
    }

    struct Record
    {
        public Node? Child;
        public int? DataOffset;
        public static Record To(Node n) => new() { Child = n };
        public static Record Data(int offset) => new() { DataOffset = offset };
    }

    public readonly record struct Uint16(ushort Value);
    public readonly record struct Uint32(uint Value);
    public readonly record struct Uint64(ulong Value);

    /// <summary>The data section encoding: a control byte with the type in its top 3 bits and the size in the low 5.</summary>
    sealed class DataWriter
    {
        const int TypeString = 2;
        const int TypeUint16 = 5;
        const int TypeUint32 = 6;
        const int TypeMap = 7;
        const int TypeUint64 = 9;
        const int TypeArray = 11;

        readonly ArrayBufferWriter<byte> _out = new();

        public byte[] ToArray() => _out.WrittenSpan.ToArray();

        public int Write(object value)
        {
            var offset = _out.WrittenCount;
            WriteValue(value);
            return offset;
        }

        public void WriteMetadata(Dictionary<string, object> map) => WriteValue(map);

        void WriteValue(object value)
        {
            switch (value)
            {
                case string s:
                    var bytes = Encoding.UTF8.GetBytes(s);
                    Control(TypeString, bytes.Length);
                    _out.Write(bytes.AsSpan());
                    break;
                case Uint16 u:
                    WriteUnsigned(TypeUint16, u.Value);
                    break;
                case Uint32 u:
                    WriteUnsigned(TypeUint32, u.Value);
                    break;
                case Uint64 u:
                    WriteUnsigned(TypeUint64, u.Value);
                    break;
                case IDictionary<string, object> map:
                    Control(TypeMap, map.Count);
                    foreach (var (k, v) in map)
                    {
                        WriteValue(k);
                        WriteValue(v);
                    }
                    break;
                case object[] array:
                    Control(TypeArray, array.Length);
                    foreach (var item in array)
                    {
                        WriteValue(item);
                    }
                    break;
                default:
                    throw new NotSupportedException(value.GetType().Name);
            }
        }

        // Unsigned integers take as few big-endian bytes as they need; zero takes none.
        void WriteUnsigned(int type, ulong v)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(b, v);
            var skip = 0;
            while (skip < 8 && b[skip] == 0)
            {
                skip++;
            }
            Control(type, 8 - skip);
            _out.Write(b[skip..]);
        }

        void Control(int type, int size)
        {
            var extended = type > 7;
            var first = (byte)((extended ? 0 : type) << 5);
            Span<byte> sizeBytes = stackalloc byte[3];
            var extra = 0;
            if (size < 29)
            {
                first |= (byte)size;
            }
            else if (size < 29 + 256)
            {
                first |= 29;
                sizeBytes[0] = (byte)(size - 29);
                extra = 1;
            }
            else if (size < 285 + 65536)
            {
                first |= 30;
                BinaryPrimitives.WriteUInt16BigEndian(sizeBytes, (ushort)(size - 285));
                extra = 2;
            }
            else
            {
                first |= 31;
                var rest = size - 65821;
                sizeBytes[0] = (byte)(rest >> 16);
                sizeBytes[1] = (byte)(rest >> 8);
                sizeBytes[2] = (byte)rest;
                extra = 3;
            }
            _out.Write([first]);
            if (extended)
            {
                _out.Write([(byte)(type - 7)]);
            }
            _out.Write(sizeBytes[..extra]);
        }
    }
}
