namespace Belfry.Flows;

/// <summary>
/// Receives decoded records. Decoders take it as <c>ref TSink</c> with <c>where TSink : struct, IFlowSink</c>,
/// so the JIT specialises the decoder per sink: no interface dispatch and no boxing per record.
/// </summary>
public interface IFlowSink
{
    /// <summary>Called once per flow record (NetFlow/IPFIX) or flow sample (sFlow).</summary>
    void OnFlow(in FlowRecord record);

    /// <summary>Called once per sFlow generic interface counter record.</summary>
    void OnCounters(in SFlowInterfaceCounters counters);
}

/// <summary>A sink that collects records into lists; for tests, tools and the offline decoder, not the hot path.</summary>
public struct CollectingFlowSink : IFlowSink
{
    public CollectingFlowSink()
    {
    }

    public List<FlowRecord> Records { get; } = [];
    public List<SFlowInterfaceCounters> Counters { get; } = [];

    public readonly void OnFlow(in FlowRecord record) => Records.Add(record);
    public readonly void OnCounters(in SFlowInterfaceCounters counters) => Counters.Add(counters);
}

/// <summary>Counts records and sums corrected packets and bytes; allocation free.</summary>
public struct CountingFlowSink : IFlowSink
{
    public long Records;
    public long CounterRecords;
    public ulong Packets;
    public ulong Bytes;

    public void OnFlow(in FlowRecord record)
    {
        Records++;
        Packets += record.Packets;
        Bytes += record.Bytes;
    }

    public void OnCounters(in SFlowInterfaceCounters counters) => CounterRecords++;
}
