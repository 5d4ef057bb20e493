using System.Globalization;
using Belfry.Core.Constituency;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous (see SqliteStore.cs).

namespace Belfry.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public async Task UpsertOrganisationsAsync(IReadOnlyList<Organisation> organisations, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(organisations);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var at = _clock.GetUtcNow().UtcDateTime.Ticks;
            using var tx = Writer.BeginTransaction();
            using var read = Command(tx, "SELECT json FROM organisations WHERE id = $id");
            var readId = read.Parameters.Add("$id", SqliteType.Text);
            using var write = Command(tx, "INSERT INTO organisations (id, name, json) VALUES ($id, $name, $json) ON CONFLICT(id) DO UPDATE SET name = excluded.name, json = excluded.json");
            var id = write.Parameters.Add("$id", SqliteType.Text);
            var name = write.Parameters.Add("$name", SqliteType.Text);
            var json = write.Parameters.Add("$json", SqliteType.Text);
            foreach (var o in organisations)
            {
                var after = OrganisationJson.Serialize(o);
                readId.Value = o.Id;
                var before = read.ExecuteScalar() as string;
                if (string.Equals(before, after, StringComparison.Ordinal))
                {
                    // Unchanged: no write, no history row, the revision stays (services do not reload for nothing).
                    continue;
                }
                id.Value = o.Id;
                name.Value = o.Name;
                json.Value = after;
                write.ExecuteNonQuery();
                AddHistory(tx, o.Id, at, actor, before is null ? "create" : "update", before, after);
            }
            tx.Commit();
        }
        catch (SqliteException ex)
        {
            throw Wrap("store organisations", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task<bool> DeleteOrganisationAsync(string id, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var tx = Writer.BeginTransaction();
            string? before;
            using (var read = Command(tx, "SELECT json FROM organisations WHERE id = $id"))
            {
                read.Parameters.AddWithValue("$id", id);
                before = read.ExecuteScalar() as string;
            }
            if (before is null)
            {
                return false;
            }
            using (var delete = Command(tx, "DELETE FROM organisations WHERE id = $id"))
            {
                delete.Parameters.AddWithValue("$id", id);
                delete.ExecuteNonQuery();
            }
            AddHistory(tx, id, _clock.GetUtcNow().UtcDateTime.Ticks, actor, "delete", before, null);
            tx.Commit();
            return true;
        }
        catch (SqliteException ex)
        {
            throw Wrap("delete organisation", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    SqliteCommand Command(SqliteTransaction tx, string sql)
    {
        var cmd = Writer.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        return cmd;
    }

    void AddHistory(SqliteTransaction tx, string organisation, long at, string actor, string action, string? before, string? after)
    {
        using var cmd = Command(tx, "INSERT INTO organisation_history (organisation, at, actor, action, before, after) VALUES ($org, $at, $actor, $action, $before, $after)");
        cmd.Parameters.AddWithValue("$org", organisation);
        cmd.Parameters.AddWithValue("$at", at);
        cmd.Parameters.AddWithValue("$actor", actor);
        cmd.Parameters.AddWithValue("$action", action);
        cmd.Parameters.AddWithValue("$before", (object?)before ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$after", (object?)after ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    public Task<IReadOnlyList<Organisation>> GetOrganisationsAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM organisations ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<Organisation>();
        while (r.Read())
        {
            list.Add(OrganisationJson.Deserialize(r.GetString(0)));
        }
        return Task.FromResult<IReadOnlyList<Organisation>>(list);
    }

    public Task<IReadOnlyList<OrganisationChange>> GetOrganisationHistoryAsync(string? organisationId = null, CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, organisation, at, actor, action, before, after FROM organisation_history"
            + (organisationId is null ? string.Empty : " WHERE organisation = $org") + " ORDER BY id";
        if (organisationId is not null)
        {
            cmd.Parameters.AddWithValue("$org", organisationId);
        }
        using var r = cmd.ExecuteReader();
        var list = new List<OrganisationChange>();
        while (r.Read())
        {
            list.Add(new OrganisationChange(
                r.GetInt64(0), r.GetString(1), new DateTime(r.GetInt64(2), DateTimeKind.Utc), r.GetString(3), r.GetString(4),
                r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)));
        }
        return Task.FromResult<IReadOnlyList<OrganisationChange>>(list);
    }

    public Task<long> GetRevisionAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        // The history's last id: one index lookup (the rowid's maximum).
        cmd.CommandText = "SELECT coalesce(max(id), 0) FROM organisation_history";
        return Task.FromResult(Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
    }
}
