using Belfry.Core.Constituency;
using Belfry.Core.Net;

namespace Belfry.Storage.Tests.Contracts;

/// <summary>What every <see cref="IOrganisationStore"/> must do: upsert, delete, a history of who changed what when, a revision that moves.</summary>
public abstract class OrganisationStoreContract : ContractBase
{
    /// <summary>A store whose history times come from <see cref="ContractBase.Clock"/>.</summary>
    protected abstract Task<IOrganisationStore> CreateStoreAsync();

    static Organisation Hospital(string name = "Example Hospital") => new()
    {
        Id = "0203000016",
        Name = name,
        Sector = "health",
        EntityClass = EntityClass.Essential,
        Language = Language.Fr,
        Contacts = [new Contact("csirt@hospital.example", "security")],
        Prefixes = [NetPrefix.Parse("192.0.2.0/24")],
        Asns = [64500],
        Domains = ["hospital.example"],
    };

    static Organisation Town() => Hospital("Town") with { Id = "0207000001", Prefixes = [NetPrefix.Parse("198.51.100.0/24")] };

    [Fact]
    public async Task Upsert_CreateUpdateUnchangedDelete_HistoryHasWhoWhenWhat()
    {
        var store = await CreateStoreAsync();
        Assert.Equal(0, await store.GetRevisionAsync(Ct));
        var t1 = Clock.Now;
        await store.UpsertOrganisationsAsync([Hospital(), Town()], "alice", Ct);
        var afterCreate = await store.GetRevisionAsync(Ct);
        Assert.True(afterCreate > 0);

        Clock.Now = t1.AddHours(1);
        await store.UpsertOrganisationsAsync([Hospital("Example University Hospital"), Town()], "bob", Ct);
        var afterUpdate = await store.GetRevisionAsync(Ct);
        Assert.True(afterUpdate > afterCreate);

        // The same data again changes nothing: no history row, the revision stays.
        await store.UpsertOrganisationsAsync([Hospital("Example University Hospital")], "bob", Ct);
        Assert.Equal(afterUpdate, await store.GetRevisionAsync(Ct));

        Clock.Now = t1.AddHours(2);
        Assert.True(await store.DeleteOrganisationAsync("0207000001", "carol", Ct));
        Assert.False(await store.DeleteOrganisationAsync("0207000001", "carol", Ct));
        Assert.True(await store.GetRevisionAsync(Ct) > afterUpdate);

        var all = await store.GetOrganisationsAsync(Ct);
        Assert.Equal("Example University Hospital", Assert.Single(all).Name);

        var hospital = await store.GetOrganisationHistoryAsync("0203000016", Ct);
        Assert.Equal(["create", "update"], hospital.Select(h => h.Action));
        Assert.Equal(["alice", "bob"], hospital.Select(h => h.Actor));
        Assert.Equal([t1.UtcDateTime, t1.AddHours(1).UtcDateTime], hospital.Select(h => h.At));
        Assert.Null(hospital[0].Before);
        Assert.Contains("\"Example Hospital\"", hospital[0].After, StringComparison.Ordinal);
        Assert.Contains("\"Example Hospital\"", hospital[1].Before, StringComparison.Ordinal);
        Assert.Contains("\"Example University Hospital\"", hospital[1].After, StringComparison.Ordinal);

        var town = await store.GetOrganisationHistoryAsync("0207000001", Ct);
        Assert.Equal(["create", "delete"], town.Select(h => h.Action));
        Assert.Equal("carol", town[1].Actor);
        Assert.Null(town[1].After);
        Assert.Equal(4, (await store.GetOrganisationHistoryAsync(null, Ct)).Count);
    }

    [Fact]
    public async Task Upsert_RoundTripsEveryField()
    {
        var store = await CreateStoreAsync();
        var org = Hospital();
        await store.UpsertOrganisationsAsync([org], "test", Ct);
        var back = Assert.Single(await store.GetOrganisationsAsync(Ct));
        Assert.Equal(OrganisationJson.Serialize(org), OrganisationJson.Serialize(back));
    }
}
