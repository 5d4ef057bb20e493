using Belfry.Ddos.Attacks;
using Belfry.Mitigation;
using Belfry.Storage.Sqlite;

namespace Belfry.Storage.Tests.Contracts;

// The SQLite store runs every contract suite. A PostgreSQL store runs the same suites by adding
// one subclass of each, like these.
static class SqliteContractStores
{
    public static async Task<SqliteStore> CreateAsync(Func<TempDatabase, TempDatabase> own, TimeProvider clock)
    {
        var db = own(new TempDatabase(clock));
        await db.Store.InitializeAsync(TestContext.Current.CancellationToken);
        return db.Store;
    }
}

public sealed class SqliteEventStoreContract : EventStoreContract
{
    protected override async Task<IEventStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}

public sealed class SqliteQuarantineStoreContract : QuarantineStoreContract
{
    protected override async Task<IQuarantineStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}

public sealed class SqliteOrganisationStoreContract : OrganisationStoreContract
{
    protected override async Task<IOrganisationStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}

public sealed class SqliteNotificationStoreContract : NotificationStoreContract
{
    protected override async Task<IBelfryStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}

public sealed class SqliteAttackStoreContract : AttackStoreContract
{
    protected override async Task<IAttackStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}

public sealed class SqliteMitigationStoreContract : MitigationStoreContract
{
    protected override async Task<IMitigationStore> CreateStoreAsync() => await SqliteContractStores.CreateAsync(Own, Clock);
}
