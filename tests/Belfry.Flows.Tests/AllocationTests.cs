namespace Belfry.Flows.Tests;

public class AllocationTests
{
    [Fact]
    public void Decode_WarmIpfixV9SFlowV5_AllocatesNothingPerDatagram()
    {
        var datagrams = new[]
        {
            TestData.IpfixDatagram(30),
            // A different template id: v4 and v6 under one id would redefine the template every time.
            Generation.IpfixWriter.Flows(TestData.Flows(30, v6: true), 1, 1, 7, templateId: 257),
            TestData.V9Datagram(30),
            Corpus.All.First(d => d[0] == 0 && d[1] == 0 && d[3] == 5),
            Corpus.All.First(d => d[0] == 0 && d[1] == 5),
        };
        var decoder = new FlowDecoder();
        var sink = new CountingFlowSink();
        foreach (var d in datagrams)
        {
            decoder.Decode(d, TestData.Exporter, 0, ref sink); // learn templates, JIT
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++)
        {
            foreach (var d in datagrams)
            {
                decoder.Decode(d, TestData.Exporter, 0, ref sink);
            }
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(sink.Records > 2000 * 90);
    }
}
