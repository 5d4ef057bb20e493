using System.Net;
using Belfry.Core.Net;

namespace Belfry.Flows.Collection;

/// <summary>Which protocol family a collector socket was opened for.</summary>
public enum FlowListenerKind : byte
{
    /// <summary>NetFlow v5/v9 and IPFIX.</summary>
    NetFlow = 0,

    /// <summary>sFlow v5.</summary>
    SFlow = 1,
}

/// <summary>One received UDP datagram, announced to the consumer before its records.</summary>
/// <param name="Exporter">The datagram's source address (for sFlow the agent address is in each record).</param>
/// <param name="Kind">The listener it arrived on.</param>
/// <param name="ReceivedUnixMs">Receive time, Unix milliseconds.</param>
/// <param name="Length">UDP payload bytes.</param>
public readonly record struct FlowDatagram(NetAddress Exporter, FlowListenerKind Kind, long ReceivedUnixMs, int Length);

/// <summary>What a consumer factory learns about the receive loop it serves.</summary>
/// <param name="LoopIndex">0-based index over all loops of the collector.</param>
/// <param name="Kind">The listener kind of the loop's socket.</param>
/// <param name="LocalEndPoint">The bound address of the loop's socket.</param>
public sealed record FlowLoopContext(int LoopIndex, FlowListenerKind Kind, IPEndPoint LocalEndPoint);

/// <summary>
/// Receives what one receive loop decodes. The collector creates one consumer per loop and calls it
/// from that loop only (single writer, no locks needed); calls are synchronous, between two receives,
/// so a consumer must not block. Records are passed by reference and must be copied to be kept.
/// </summary>
public interface IFlowRecordConsumer
{
    /// <summary>Called once per datagram, before its records are decoded.</summary>
    void OnDatagram(in FlowDatagram datagram);

    /// <summary>Called once per flow record (NetFlow/IPFIX) or flow sample (sFlow).</summary>
    void OnFlow(in FlowRecord record);

    /// <summary>Called once per sFlow generic interface counter record.</summary>
    void OnCounters(in SFlowInterfaceCounters counters);
}

/// <summary>Consumer that ignores everything: the collector then only counts.</summary>
public sealed class NullFlowRecordConsumer : IFlowRecordConsumer
{
    public static NullFlowRecordConsumer Instance { get; } = new();

    public void OnDatagram(in FlowDatagram datagram)
    {
    }

    public void OnFlow(in FlowRecord record)
    {
    }

    public void OnCounters(in SFlowInterfaceCounters counters)
    {
    }
}

/// <summary>Fans one loop's records out to several consumers, in order.</summary>
public sealed class CompositeFlowRecordConsumer(IReadOnlyList<IFlowRecordConsumer> consumers) : IFlowRecordConsumer
{
    readonly IFlowRecordConsumer[] _consumers = [.. consumers];

    /// <summary>The single consumer, a composite of several, or <see cref="NullFlowRecordConsumer"/> for none.</summary>
    public static IFlowRecordConsumer Combine(IReadOnlyList<IFlowRecordConsumer> consumers)
    {
        ArgumentNullException.ThrowIfNull(consumers);
        return consumers.Count switch
        {
            0 => NullFlowRecordConsumer.Instance,
            1 => consumers[0],
            _ => new CompositeFlowRecordConsumer(consumers),
        };
    }

    public void OnDatagram(in FlowDatagram datagram)
    {
        foreach (var c in _consumers)
        {
            c.OnDatagram(in datagram);
        }
    }

    public void OnFlow(in FlowRecord record)
    {
        foreach (var c in _consumers)
        {
            c.OnFlow(in record);
        }
    }

    public void OnCounters(in SFlowInterfaceCounters counters)
    {
        foreach (var c in _consumers)
        {
            c.OnCounters(in counters);
        }
    }
}
