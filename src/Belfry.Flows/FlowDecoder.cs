using System.Buffers.Binary;
using Belfry.Core.Net;
using Belfry.Flows.Templates;

namespace Belfry.Flows;

/// <summary>
/// Decodes any supported flow datagram, picked by its version field: NetFlow v5, NetFlow v9,
/// IPFIX, or sFlow v5 (whose 32-bit version 5 starts with two zero bytes, where NetFlow v5 has
/// its version 5). Stateful (v9 and IPFIX templates); one instance per receive loop.
/// </summary>
public sealed class FlowDecoder
{
    public FlowDecoder()
        : this(new FlowTemplateLimits())
    {
    }

    /// <param name="limits">Caps of each template cache (v9 and IPFIX have one each).</param>
    public FlowDecoder(FlowTemplateLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        NetFlowV9 = new NetFlowV9Decoder(new FlowTemplateCache(limits));
        Ipfix = new IpfixDecoder(new FlowTemplateCache(limits));
    }

    public NetFlowV9Decoder NetFlowV9 { get; }
    public IpfixDecoder Ipfix { get; }

    /// <summary>Decodes one UDP payload from <paramref name="exporter"/>; <paramref name="receivedUnixMs"/> stamps sFlow records.</summary>
    public DecodeStatus Decode<TSink>(ReadOnlySpan<byte> datagram, NetAddress exporter, long receivedUnixMs, ref TSink sink)
        where TSink : struct, IFlowSink
    {
        if (datagram.Length < 4)
        {
            return DecodeStatus.Truncated;
        }
        return BinaryPrimitives.ReadUInt16BigEndian(datagram) switch
        {
            5 => NetFlowV5Decoder.Decode(datagram, exporter, ref sink),
            9 => NetFlowV9.Decode(datagram, exporter, ref sink),
            10 => Ipfix.Decode(datagram, exporter, ref sink),
            0 when BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) == 5 => SFlowDecoder.Decode(datagram, receivedUnixMs, ref sink),
            _ => DecodeStatus.BadVersion,
        };
    }
}
