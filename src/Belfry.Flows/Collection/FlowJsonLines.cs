using System.Buffers;
using System.Text.Json;
using Belfry.Core.Net;
using Belfry.Flows.Pcap;

namespace Belfry.Flows.Collection;

/// <summary>Result of <see cref="FlowJsonLines.DecodeCaptures"/> for one file.</summary>
/// <param name="Path">The capture.</param>
/// <param name="Status"><see cref="PcapStatus.End"/> when the whole file was read.</param>
/// <param name="Error">Why the file could not be opened, or null.</param>
public sealed record CaptureFileResult(string Path, PcapStatus Status, string? Error);

/// <summary>
/// Flow records as JSON lines (<c>belfry flows decode</c>): one object per record with the
/// sampling-corrected <c>packets</c> and <c>bytes</c>, the exporter's raw counters and the rate.
/// </summary>
public static class FlowJsonLines
{
    /// <summary>
    /// Decodes captures in the order given, template state shared across files, writing one JSON line
    /// per flow record to <paramref name="output"/>. A file that cannot be opened or read to its end is
    /// reported in the result and the next one is decoded.
    /// </summary>
    public static IReadOnlyList<CaptureFileResult> DecodeCaptures(IEnumerable<string> paths, Stream output, FlowFileDecoder decoder)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(decoder);
        var results = new List<CaptureFileResult>();
        using var lines = new JsonLineWriter(output);
        var sink = new JsonLineSink(lines);
        try
        {
            foreach (var path in paths)
            {
                try
                {
                    var status = decoder.DecodeFile(path, ref sink);
                    results.Add(new CaptureFileResult(path, status, null));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    results.Add(new CaptureFileResult(path, PcapStatus.Ok, ex.Message));
                }
                lines.FlushTo();
            }
        }
        finally
        {
            lines.FlushTo();
            output.Flush();
        }
        return results;
    }

    /// <summary>Writes one record as a JSON object (no newline).</summary>
    public static void Write(Utf8JsonWriter writer, in FlowRecord r)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> text = stackalloc char[64];
        writer.WriteStartObject();
        writer.WriteString("source"u8, SourceName(r.Source));
        WriteAddress(writer, "exporter"u8, r.Exporter, text);
        writer.WriteNumber("observation_domain"u8, r.ObservationDomain);
        WriteAddress(writer, "src_addr"u8, r.SrcAddress, text);
        WriteAddress(writer, "dst_addr"u8, r.DstAddress, text);
        writer.WriteNumber("src_port"u8, r.SrcPort);
        writer.WriteNumber("dst_port"u8, r.DstPort);
        writer.WriteNumber("protocol"u8, r.Protocol);
        writer.WriteNumber("tcp_flags"u8, r.TcpFlags);
        writer.WriteNumber("tos"u8, r.Tos);
        writer.WriteNumber("packets"u8, r.Packets);
        writer.WriteNumber("bytes"u8, r.Bytes);
        writer.WriteNumber("raw_packets"u8, r.RawPackets);
        writer.WriteNumber("raw_bytes"u8, r.RawBytes);
        writer.WriteNumber("sampling_rate"u8, r.SamplingRate);
        WriteTime(writer, "start"u8, r.StartUnixMs);
        WriteTime(writer, "end"u8, r.EndUnixMs);
        writer.WriteNumber("in_if"u8, r.InputInterface);
        writer.WriteNumber("out_if"u8, r.OutputInterface);
        writer.WriteNumber("src_as"u8, r.SrcAs);
        writer.WriteNumber("dst_as"u8, r.DstAs);
        writer.WriteBoolean("fragment"u8, r.IsFragment);
        if (r.Protocol is 1 or 58)
        {
            writer.WriteNumber("icmp_type"u8, r.IcmpType);
            writer.WriteNumber("icmp_code"u8, r.IcmpCode);
        }
        if (r.Vlan != 0)
        {
            writer.WriteNumber("vlan"u8, r.Vlan);
        }
        writer.WriteEndObject();
    }

    static string SourceName(FlowSource s) => s switch
    {
        FlowSource.NetFlowV5 => "netflow5",
        FlowSource.NetFlowV9 => "netflow9",
        FlowSource.Ipfix => "ipfix",
        FlowSource.SFlow => "sflow",
        _ => "unknown",
    };

    static void WriteAddress(Utf8JsonWriter writer, ReadOnlySpan<byte> name, NetAddress a, Span<char> text)
    {
        if (a.TryFormat(text, out var n))
        {
            writer.WriteString(name, text[..n]);
        }
        else
        {
            writer.WriteString(name, a.ToString());
        }
    }

    static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long unixMs)
    {
        if (unixMs <= 0 || unixMs > 253_402_300_799_000)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime);
        }
    }

    /// <summary>Formats records into a growing buffer, one line each; copied to the stream per file or every 64 KiB.</summary>
    sealed class JsonLineWriter(Stream output) : IDisposable
    {
        const int FlushBytes = 1 << 16;
        readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes * 2);
        Utf8JsonWriter? _writer;

        public void Add(in FlowRecord record)
        {
            _writer ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
            Write(_writer, in record);
            _writer.Flush();
            _buffer.Write("\n"u8);
            _writer.Reset();
            if (_buffer.WrittenCount >= FlushBytes)
            {
                FlushTo();
            }
        }

        public void FlushTo()
        {
            output.Write(_buffer.WrittenSpan);
            _buffer.ResetWrittenCount();
        }

        public void Dispose() => _writer?.Dispose();
    }

    readonly struct JsonLineSink(JsonLineWriter lines) : IFlowSink
    {
        public void OnFlow(in FlowRecord record) => lines.Add(in record);

        public void OnCounters(in SFlowInterfaceCounters counters)
        {
        }
    }
}
