using BenchmarkDotNet.Attributes;
using Belfry.Core.Constituency;
using Belfry.Core.Events;
using Belfry.Core.Net;

namespace Belfry.Benchmarks.Core;

/// <summary>Per-event costs on the ingest hot path: address parsing, organisation lookup, event id.</summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    const int N = 4096;
    string[] _texts = [];
    NetAddress[] _addresses = [];
    ConstituencyIndex _index = ConstituencyIndex.Empty;
    string[] _raws = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(23768213);
        _texts = [.. Enumerable.Range(0, N).Select(_ => $"{rng.Next(1, 224)}.{rng.Next(256)}.{rng.Next(256)}.{rng.Next(256)}")];
        _addresses = [.. _texts.Select(NetAddress.Parse)];
        // 10,000 organisations with two /20s each: a national constituency's size.
        var orgs = Enumerable.Range(0, 10_000).Select(i => new Organisation
        {
            Id = EnterpriseNumber.FromBody(i),
            Name = $"org {i}",
            Prefixes = [new NetPrefix(NetAddress.FromV4((uint)i << 13), 20), new NetPrefix(NetAddress.FromV4(((uint)i << 13) | 0x1000), 20)],
        });
        _index = new ConstituencyIndex(orgs);
        _raws = [.. _texts.Select(t => $"\"2026-11-30 00:00:01\",\"{t}\",\"tcp\",8080,\"host.example\",\"http\",64500,\"BE\",\"BRUSSELS\",\"BRUSSELS\",518210,,\"HTTP/1.1\",200,\"OK\"")];
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int ParseIPv4()
    {
        var n = 0;
        foreach (var t in _texts)
        {
            n += NetAddress.TryParse(t, out _) ? 1 : 0;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public int OrganisationByAddress()
    {
        var n = 0;
        foreach (var a in _addresses)
        {
            n += _index.ByAddress(a) is null ? 0 : 1;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = N)]
    public UInt128 EventIdOfRow()
    {
        UInt128 x = 0;
        foreach (var r in _raws)
        {
            x ^= EventId.Compute("Accessible-HTTP", r).Value;
        }
        return x;
    }
}
