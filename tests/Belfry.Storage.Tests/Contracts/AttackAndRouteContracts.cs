using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Ddos.Counters;
using Belfry.Mitigation;

namespace Belfry.Storage.Tests.Contracts;

/// <summary>What every <see cref="IAttackStore"/> must do: save, update in place, list newest first.</summary>
public abstract class AttackStoreContract : ContractBase
{
    protected abstract Task<IAttackStore> CreateStoreAsync();

    internal static Attack Sample(string id = "20210504T090000Z-192.0.2.10", DateTime? start = null, DateTime? end = null) => new()
    {
        Id = id,
        TargetKind = AttackTargetKind.Host,
        Target = NetPrefix.Parse("192.0.2.10/32"),
        Network = NetPrefix.Parse("192.0.2.0/24"),
        Organisation = "org-belnet",
        HostGroup = "default",
        Vectors = [AttackVector.DnsAmplification, AttackVector.SynFlood],
        Reason = DetectionReason.Threshold,
        Trigger = "pps",
        Start = start ?? new DateTime(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc),
        Detected = new DateTime(2021, 5, 4, 9, 0, 1, DateTimeKind.Utc),
        LastSeen = new DateTime(2021, 5, 4, 9, 5, 0, DateTimeKind.Utc),
        End = end,
        CurrentPps = 150_000,
        CurrentBps = 1.2e9,
        PeakPps = 200_000,
        PeakBps = 2.4e9,
        PeakFlowsPerSecond = 300,
        TotalPackets = 12_345_678,
        TotalBytes = 9_876_543_210,
        DistinctSources = 257_000,
        TopSources = [new TopItem<NetAddress>(NetAddress.Parse("203.0.113.66"), 1000), new TopItem<NetAddress>(NetAddress.Parse("2001:db8::66"), 900)],
        TopSourcePorts = [new TopItem<ushort>(53, 5000)],
        TopSourceAsns = [new TopItem<uint>(64500, 4000)],
        Sequence = 3,
    };

    [Fact]
    public async Task Save_ThenGet_RoundTripsEveryField()
    {
        var store = await CreateStoreAsync();
        var a = Sample();
        await store.SaveAttackAsync(a, Ct);
        var back = await store.GetAttackAsync(a.Id, Ct);
        Assert.NotNull(back);
        Assert.Equal(a with { Vectors = back.Vectors, TopSources = back.TopSources, TopSourcePorts = back.TopSourcePorts, TopSourceAsns = back.TopSourceAsns }, back);
        Assert.Equal(a.Vectors, back.Vectors);
        Assert.Equal(a.TopSources, back.TopSources);
        Assert.Equal(a.TopSourcePorts, back.TopSourcePorts);
        Assert.Equal(a.TopSourceAsns, back.TopSourceAsns);
        Assert.Null(await store.GetAttackAsync("no such attack", Ct));
    }

    [Fact]
    public async Task Save_SameIdTwice_UpdatesOneRecord()
    {
        var store = await CreateStoreAsync();
        await store.SaveAttackAsync(Sample(), Ct);
        var end = new DateTime(2021, 5, 4, 9, 6, 0, DateTimeKind.Utc);
        await store.SaveAttackAsync(new AttackEvent(AttackEventKind.Ended, Sample(end: end), end), Ct);
        Assert.Equal(1, await store.CountAttacksAsync(Ct));
        Assert.Equal(end, (await store.GetAttackAsync(Sample().Id, Ct))!.End);
    }

    [Fact]
    public async Task ListRecent_NewestFirstWithLimitAndSince()
    {
        var store = await CreateStoreAsync();
        var t = new DateTime(2021, 5, 4, 9, 0, 0, DateTimeKind.Utc);
        foreach (var i in new[] { 2, 0, 4, 1, 3 })
        {
            await store.SaveAttackAsync(Sample(id: $"a{i}", start: t.AddMinutes(i)), Ct);
        }
        Assert.Equal(["a4", "a3", "a2"], (await store.ListRecentAttacksAsync(3, null, Ct)).Select(a => a.Id));
        Assert.Equal(["a4", "a3"], (await store.ListRecentAttacksAsync(10, t.AddMinutes(3), Ct)).Select(a => a.Id));
    }
}

/// <summary>What every <see cref="IMitigationStore"/> must do: save, replace, remove routes, and list them all.</summary>
public abstract class MitigationStoreContract : ContractBase
{
    protected abstract Task<IMitigationStore> CreateStoreAsync();

    static readonly DateTime s_at = new(2026, 12, 1, 8, 0, 0, DateTimeKind.Utc);

    static RouteOwnership Blackhole(string host, params string[] attacks) => new(
        MitigationId.ForBlackhole(NetPrefix.Parse(host + "/32")), MitigationKind.Blackhole, NetPrefix.Parse(host + "/32"), host, "udp flood on " + host, attacks, s_at, null);

    static void AssertSame(RouteOwnership expected, RouteOwnership actual)
    {
        Assert.Equal(expected with { Attacks = [] }, actual with { Attacks = [] });
        Assert.Equal(expected.Attacks, actual.Attacks);
    }

    [Fact]
    public async Task Routes_SaveReplaceRemove()
    {
        var store = await CreateStoreAsync();
        Assert.Empty(await store.ListRoutesAsync(Ct));
        var a = Blackhole("192.0.2.10", "attack-1");
        var flowspec = new RouteOwnership(new MitigationId("flowspec 2001:db8::5/128 udp src-port 53"), MitigationKind.Flowspec, NetPrefix.Parse("2001:db8::5/128"),
            "match destination 2001:db8::5/128 protocol udp source-port ==53 then discard", "dns amplification", ["attack-2", "attack-3"], s_at.AddMinutes(1), null);
        await store.SaveRouteAsync(a, Ct);
        await store.SaveRouteAsync(flowspec, Ct);

        // Replaced: another attack holds it, then every holder ends.
        var replaced = a with { Attacks = ["attack-1", "attack-4"], WithdrawAfter = s_at.AddMinutes(30) };
        await store.SaveRouteAsync(replaced, Ct);
        var routes = await store.ListRoutesAsync(Ct);
        Assert.Equal(2, routes.Count);
        AssertSame(replaced, Assert.Single(routes, r => r.Id == a.Id));
        AssertSame(flowspec, Assert.Single(routes, r => r.Id == flowspec.Id));

        await store.RemoveRouteAsync(a.Id, Ct);
        await store.RemoveRouteAsync(new MitigationId("never announced"), Ct);
        AssertSame(flowspec, Assert.Single(await store.ListRoutesAsync(Ct)));
    }
}
