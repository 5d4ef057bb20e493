using System.Net;
using System.Net.Sockets;
using Belfry.Core.Net;
using Belfry.Flows.Collection;

namespace Belfry.Flows.Tests.Collection;

/// <summary>Counts what one receive loop hands over; read only after the collector stopped.</summary>
internal sealed class RecordingConsumer : IFlowRecordConsumer
{
    public long Datagrams;
    public long Records;
    public ulong Packets;
    public ulong Bytes;
    public long CounterRecords;
    public Dictionary<NetAddress, long> ByDestination { get; } = [];
    public List<FlowRecord> Kept { get; } = [];
    public int Keep { get; init; }

    public void OnDatagram(in FlowDatagram datagram) => Datagrams++;

    public void OnFlow(in FlowRecord record)
    {
        Records++;
        Packets += record.Packets;
        Bytes += record.Bytes;
        ByDestination[record.DstAddress] = ByDestination.GetValueOrDefault(record.DstAddress) + 1;
        if (Kept.Count < Keep)
        {
            Kept.Add(record);
        }
    }

    public void OnCounters(in SFlowInterfaceCounters counters) => CounterRecords++;
}

internal static class CollectorTestKit
{
    public static readonly TimeSpan ArrivalTimeout = TimeSpan.FromSeconds(30);

    public static IPEndPoint Loopback4 => new(IPAddress.Loopback, 0);

    /// <summary>Waits (without asserting on speed) until the collector has seen <paramref name="done"/> true.</summary>
    public static async Task WaitForAsync(FlowCollector collector, Func<FlowCollectorSnapshot, bool> done)
    {
        var until = DateTime.UtcNow + ArrivalTimeout;
        while (!done(collector.Snapshot()) && DateTime.UtcNow < until)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        // Give stray datagrams a moment so "exactly N" also catches extras.
        await Task.Delay(100, TestContext.Current.CancellationToken);
    }

    public static void SendRaw(IPEndPoint target, params byte[][] datagrams)
    {
        using var s = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        foreach (var d in datagrams)
        {
            s.SendTo(d, target);
        }
    }
}
