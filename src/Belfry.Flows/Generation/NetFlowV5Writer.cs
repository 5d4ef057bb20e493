namespace Belfry.Flows.Generation;

/// <summary>Encodes NetFlow v5 datagrams (24-byte header, 48-byte records).</summary>
public static class NetFlowV5Writer
{
    /// <summary>
    /// Writes up to 30 records; times become sysUptime offsets from <paramref name="unixSeconds"/>,
    /// raw (unsampled) counters are written, and <paramref name="samplingInterval"/> goes in the header.
    /// </summary>
    public static byte[] Write(ReadOnlySpan<FlowRecord> records, uint sysUptimeMs, uint unixSeconds, uint sequence, ushort samplingInterval = 0, byte engineType = 0, byte engineId = 0)
    {
        var b = new WireBuffer();
        b.U16(5).U16((ushort)records.Length).U32(sysUptimeMs).U32(unixSeconds).U32(0).U32(sequence).U8(engineType).U8(engineId).U16(samplingInterval);
        var exportMs = unixSeconds * 1000L;
        foreach (ref readonly var r in records)
        {
            b.V4(r.SrcAddress).V4(r.DstAddress).U32(0).U16((ushort)r.InputInterface).U16((ushort)r.OutputInterface)
                .U32((uint)r.RawPackets).U32((uint)r.RawBytes)
                .U32((uint)(sysUptimeMs - (exportMs - r.StartUnixMs))).U32((uint)(sysUptimeMs - (exportMs - r.EndUnixMs)))
                .U16(r.SrcPort).U16(r.DstPort).U8(0).U8((byte)r.TcpFlags).U8(r.Protocol).U8(r.Tos)
                .U16((ushort)r.SrcAs).U16((ushort)r.DstAs).U8(0).U8(0).U16(0);
        }
        return b.ToArray();
    }
}
