namespace Belfry.Flows.Tests;

public class DifferentialTests
{
    [Fact]
    public void Decode_AllAtOnceVersusOneFreshDecoderPerFormatRun_SameRecords()
    {
        // One decoder fed everything, against a fresh decoder fed the same datagrams again one by one
        // after the same template-bearing datagrams: the records must be identical.
        var (once, _) = Corpus.DecodeAll(Corpus.All);
        var fresh = new FlowDecoder();
        var again = new List<FlowRecord>();
        foreach (var d in Corpus.All)
        {
            var copy = d.ToArray(); // a different buffer: nothing may depend on the caller's memory after the call
            var sink = new CollectingFlowSink();
            fresh.Decode(copy, TestData.Exporter, 1_700_000_000_000, ref sink);
            Array.Clear(copy);
            again.AddRange(sink.Records);
        }
        Assert.Equal(once, again);
    }

    [Fact]
    public void DecodeFile_ConcatenatedPcapsVersusPerFileDecoding_SameRecords()
    {
        var files = Directory.GetFiles(TestData.CapturesDirectory, "*.pcap").Order(StringComparer.Ordinal).ToArray();
        var shared = new FlowFileDecoder();
        var all = new CollectingFlowSink();
        foreach (var f in files)
        {
            shared.DecodeFile(f, ref all);
        }
        var separate = new List<FlowRecord>();
        foreach (var f in files)
        {
            var d = new FlowFileDecoder();
            var s = new CollectingFlowSink();
            d.DecodeFile(f, ref s);
            separate.AddRange(s.Records);
        }
        // Each capture carries its own templates, so sharing state must not change anything.
        Assert.Equal(separate, all.Records);
    }
}
