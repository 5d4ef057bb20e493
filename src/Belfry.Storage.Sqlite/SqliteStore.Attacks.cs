using System.Globalization;
using System.Text.Json;
using Belfry.Core.Net;
using Belfry.Ddos.Attacks;
using Belfry.Mitigation;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous (see SqliteStore.cs).

namespace Belfry.Storage.Sqlite;

// Attacks and route ownership: columns for filtering and sorting (times as UTC ticks, like every
// other table), plus the full record (the attack as AttackJson, the route's attacks as a JSON array).
public sealed partial class SqliteStore
{
    public async Task SaveAttackAsync(Attack attack, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attack);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var cmd = Writer.CreateCommand();
            cmd.CommandText = """
                INSERT INTO attacks (id, target, target_kind, organisation, main_vector, vectors, start, last_seen, end_time, peak_pps, peak_bps, distinct_sources, json)
                VALUES ($id, $target, $kind, $org, $main, $vectors, $start, $last, $end, $pps, $bps, $sources, $json)
                ON CONFLICT(id) DO UPDATE SET organisation = excluded.organisation, main_vector = excluded.main_vector,
                    vectors = excluded.vectors, last_seen = excluded.last_seen, end_time = excluded.end_time,
                    peak_pps = excluded.peak_pps, peak_bps = excluded.peak_bps, distinct_sources = excluded.distinct_sources, json = excluded.json
                """;
            cmd.Parameters.AddWithValue("$id", attack.Id);
            cmd.Parameters.AddWithValue("$target", attack.Target.ToString());
            cmd.Parameters.AddWithValue("$kind", attack.TargetKind == AttackTargetKind.Host ? "host" : "prefix");
            cmd.Parameters.AddWithValue("$org", (object?)attack.Organisation ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$main", AttackVectors.Identifier(attack.MainVector));
            cmd.Parameters.AddWithValue("$vectors", string.Join(',', attack.Vectors.Select(AttackVectors.Identifier)));
            cmd.Parameters.AddWithValue("$start", attack.Start.ToUniversalTime().Ticks);
            cmd.Parameters.AddWithValue("$last", attack.LastSeen.ToUniversalTime().Ticks);
            cmd.Parameters.AddWithValue("$end", attack.End is { } end ? end.ToUniversalTime().Ticks : DBNull.Value);
            cmd.Parameters.AddWithValue("$pps", attack.PeakPps);
            cmd.Parameters.AddWithValue("$bps", attack.PeakBps);
            cmd.Parameters.AddWithValue("$sources", attack.DistinctSources);
            cmd.Parameters.AddWithValue("$json", AttackJson.ToJson(attack));
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw Wrap("store attack", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<Attack?> GetAttackAsync(string id, CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM attacks WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return Task.FromResult(cmd.ExecuteScalar() is string json ? AttackJson.Read(json) : null);
    }

    public Task<IReadOnlyList<Attack>> ListRecentAttacksAsync(int limit = 50, DateTime? since = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT json FROM attacks WHERE start >= $since ORDER BY start DESC, id LIMIT $limit";
        cmd.Parameters.AddWithValue("$since", since is { } s ? s.ToUniversalTime().Ticks : long.MinValue);
        cmd.Parameters.AddWithValue("$limit", limit);
        var list = new List<Attack>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(AttackJson.Read(r.GetString(0)));
        }
        return Task.FromResult<IReadOnlyList<Attack>>(list);
    }

    public Task<long> CountAttacksAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM attacks";
        return Task.FromResult(Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    public Task<IReadOnlyList<RouteOwnership>> ListRoutesAsync(CancellationToken cancellationToken = default)
    {
        using var c = Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, kind, target, definition, reason, attacks, announced_at, withdraw_after FROM mitigation_routes ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<RouteOwnership>();
        while (r.Read())
        {
            var kind = r.GetString(1) switch
            {
                "blackhole" => MitigationKind.Blackhole,
                "flowspec" => MitigationKind.Flowspec,
                var other => throw new StorageException($"Stored route {r.GetString(0)} has an unknown kind '{other}'.", isTransient: false),
            };
            var attacks = JsonSerializer.Deserialize(r.GetString(5), StoreJsonContext.Default.StringArray) ?? [];
            list.Add(new RouteOwnership(
                new MitigationId(r.GetString(0)), kind, NetPrefix.Parse(r.GetString(2)), r.GetString(3), r.GetString(4), attacks,
                new DateTime(r.GetInt64(6), DateTimeKind.Utc), r.IsDBNull(7) ? null : new DateTime(r.GetInt64(7), DateTimeKind.Utc)));
        }
        return Task.FromResult<IReadOnlyList<RouteOwnership>>(list);
    }

    public async Task SaveRouteAsync(RouteOwnership route, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(route);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var cmd = Writer.CreateCommand();
            cmd.CommandText = """
                INSERT INTO mitigation_routes (id, kind, target, definition, reason, attacks, announced_at, withdraw_after)
                VALUES ($id, $kind, $target, $def, $reason, $attacks, $at, $after)
                ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, target = excluded.target, definition = excluded.definition,
                    reason = excluded.reason, attacks = excluded.attacks, announced_at = excluded.announced_at, withdraw_after = excluded.withdraw_after
                """;
            cmd.Parameters.AddWithValue("$id", route.Id.Value);
            cmd.Parameters.AddWithValue("$kind", route.Kind == MitigationKind.Blackhole ? "blackhole" : "flowspec");
            cmd.Parameters.AddWithValue("$target", route.Target.ToString());
            cmd.Parameters.AddWithValue("$def", route.Definition);
            cmd.Parameters.AddWithValue("$reason", route.Reason);
            cmd.Parameters.AddWithValue("$attacks", JsonSerializer.Serialize([.. route.Attacks], StoreJsonContext.Default.StringArray));
            cmd.Parameters.AddWithValue("$at", route.AnnouncedAt.ToUniversalTime().Ticks);
            cmd.Parameters.AddWithValue("$after", route.WithdrawAfter is { } w ? w.ToUniversalTime().Ticks : DBNull.Value);
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw Wrap("store route", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task RemoveRouteAsync(MitigationId id, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var cmd = Writer.CreateCommand();
            cmd.CommandText = "DELETE FROM mitigation_routes WHERE id = $id";
            cmd.Parameters.AddWithValue("$id", id.Value);
            cmd.ExecuteNonQuery();
        }
        catch (SqliteException ex)
        {
            throw Wrap("remove route", ex);
        }
        finally
        {
            _writeLock.Release();
        }
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
sealed partial class StoreJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
