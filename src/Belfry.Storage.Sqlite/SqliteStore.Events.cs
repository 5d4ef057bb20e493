using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Belfry.Core.Events;
using Belfry.Core.Taxonomy;
using Microsoft.Data.Sqlite;

#pragma warning disable VSTHRD103 // Microsoft.Data.Sqlite's async calls are synchronous (see SqliteStore.cs).

namespace Belfry.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>The WHERE clause of <paramref name="q"/>; everything but the identifier, which is checked on the decoded event.</summary>
    static (string Where, List<SqliteParameter> Args) BuildWhere(EventQuery q, long? afterSeq = null)
    {
        var sb = new StringBuilder(" WHERE tlp <= $clearance");
        var args = new List<SqliteParameter> { new("$clearance", (int)q.Clearance) };
        if (q.Organisation is not null)
        {
            sb.Append(" AND organisation = $org");
            args.Add(new("$org", q.Organisation));
        }
        if (q.Since is { } since)
        {
            sb.Append(" AND " + SqliteMigrations.EventTime + " >= $since");
            args.Add(new("$since", since.ToUniversalTime().Ticks));
        }
        if (q.Until is { } until)
        {
            sb.Append(" AND " + SqliteMigrations.EventTime + " < $until");
            args.Add(new("$until", until.ToUniversalTime().Ticks));
        }
        if (q.Feed is not null)
        {
            sb.Append(" AND feed = $feed");
            args.Add(new("$feed", q.Feed));
        }
        if (q.SourcePrefix is { } prefix)
        {
            var lo = new byte[16];
            var hi = new byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(lo, prefix.Network.Value);
            BinaryPrimitives.WriteUInt128BigEndian(hi, prefix.Last.Value);
            sb.Append(" AND source_ip BETWEEN $iplo AND $iphi");
            args.Add(new("$iplo", SqliteType.Blob) { Value = lo });
            args.Add(new("$iphi", SqliteType.Blob) { Value = hi });
        }
        if (q.SourceAsn is { } asn)
        {
            sb.Append(" AND source_asn = $asn");
            args.Add(new("$asn", asn));
        }
        if (q.ClassificationType is not null)
        {
            sb.Append(" AND classification_type = $type");
            args.Add(new("$type", q.ClassificationType));
        }
        if (q.Taxonomy is not null)
        {
            // The taxonomy follows from the type (RSIT), so the type column serves both.
            var types = Rsit.TaxonomyOfType.Where(kv => string.Equals(kv.Value, q.Taxonomy, StringComparison.OrdinalIgnoreCase)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
            if (types.Count == 0)
            {
                sb.Append(" AND 0");
            }
            else
            {
                sb.Append(" AND classification_type IN (");
                for (var i = 0; i < types.Count; i++)
                {
                    var name = "$tax" + i.ToString(CultureInfo.InvariantCulture);
                    sb.Append(i == 0 ? name : ", " + name);
                    args.Add(new(name, types[i]));
                }
                sb.Append(')');
            }
        }
        if (q.OnlyUnnotified)
        {
            sb.Append(" AND notified_at IS NULL");
        }
        if (afterSeq is { } after)
        {
            sb.Append(" AND seq > $after");
            args.Add(new("$after", after));
        }
        return (sb.ToString(), args);
    }

    /// <summary>The SQL of an event query (for tests that check its plan).</summary>
    internal static (string Sql, List<SqliteParameter> Args) EventSql(EventQuery q, long? afterSeq, int? limit)
    {
        var (where, args) = BuildWhere(q, afterSeq);
        // Without an identifier filter every row read is returned, so SQLite can stop at the limit.
        var sqlLimit = q.Identifier is null && limit is { } l ? " LIMIT " + l.ToString(CultureInfo.InvariantCulture) : string.Empty;
        return ("SELECT seq, id, organisation, tlp, fields, raw FROM events" + where + " ORDER BY seq" + sqlLimit, args);
    }

    static bool Matches(Event e, EventQuery q) =>
        q.Identifier is null || string.Equals(e.GetText(Fields.ClassificationIdentifier), q.Identifier, StringComparison.Ordinal);

    /// <summary>Reads matching events after <paramref name="afterSeq"/>, with their seq, until <paramref name="limit"/>.</summary>
    IEnumerable<(long Seq, Event Event)> ReadEvents(SqliteConnection c, EventQuery query, long? afterSeq, int? limit, CancellationToken cancellationToken)
    {
        using var cmd = c.CreateCommand();
        var (sql, args) = EventSql(query, afterSeq, limit);
        cmd.CommandText = sql;
        cmd.Parameters.AddRange(args);
        using var reader = cmd.ExecuteReader();
        var symbols = new StoredSymbols(_symbols, c);
        var returned = 0;
        while ((limit is null || returned < limit) && reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = new Event
            {
                Id = EventId.FromBytes((byte[])reader[1]),
                Organisation = reader.IsDBNull(2) ? null : reader.GetString(2),
                Tlp = (Tlp)reader.GetInt32(3),
                Raw = reader.IsDBNull(5) ? null : reader.GetString(5),
            };
            if (!EventCodec.TryDecode((byte[])reader[4], e, symbols))
            {
                throw new StorageException($"Stored event {e.Id} cannot be decoded.", isTransient: false);
            }
            if (Matches(e, query))
            {
                returned++;
                yield return (reader.GetInt64(0), e);
            }
        }
    }

    public async IAsyncEnumerable<Event> QueryEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await Task.Yield();
        using var c = Open();
        foreach (var (_, e) in ReadEvents(c, query, null, query.Limit, cancellationToken))
        {
            yield return e;
        }
    }

    public Task<EventPage> QueryEventPageAsync(EventQuery query, int pageSize, string? cursor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        long? after = null;
        if (cursor is not null)
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                throw new ArgumentException($"Not a cursor of this store: '{cursor}'.", nameof(cursor));
            }
            after = seq;
        }
        using var c = Open();
        // One row beyond the page says whether there is a next one.
        var rows = ReadEvents(c, query, after, pageSize + 1, cancellationToken).ToList();
        var page = rows.Take(pageSize).Select(r => r.Event).ToList();
        var next = rows.Count > pageSize ? rows[pageSize - 1].Seq.ToString(CultureInfo.InvariantCulture) : null;
        return Task.FromResult(new EventPage(page, next));
    }

    public Task<long> CountEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var c = Open();
        if (query.Identifier is not null)
        {
            return Task.FromResult((long)ReadEvents(c, query, null, null, cancellationToken).Count());
        }
        using var cmd = c.CreateCommand();
        var (where, args) = BuildWhere(query);
        cmd.CommandText = "SELECT COUNT(*) FROM events" + where;
        cmd.Parameters.AddRange(args);
        return Task.FromResult(Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture));
    }
}
