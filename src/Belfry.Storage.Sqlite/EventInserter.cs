using System.Text;
using Belfry.Core.Events;
using SQLitePCL;

namespace Belfry.Storage.Sqlite;

/// <summary>
/// The write path for events, straight on SQLitePCLRaw: one prepared INSERT bound from spans,
/// with no ADO.NET parameter objects, boxing or per-row arrays. Not thread-safe: the store calls
/// it under its write lock. One transaction per batch (BEGIN IMMEDIATE ... COMMIT); the batch's new
/// symbols are stored in the same transaction, so every committed event decodes.
/// </summary>
sealed class EventInserter : IDisposable
{
    const int SqliteOk = 0, SqliteRow = 100, SqliteDone = 101;

    readonly sqlite3 _db;
    readonly SymbolTable _symbols;
    readonly sqlite3_stmt _insert;
    readonly sqlite3_stmt _begin;
    readonly sqlite3_stmt _commit;
    readonly sqlite3_stmt _rollback;
    readonly sqlite3_stmt _insertSymbol;
    readonly sqlite3_stmt _maxSymbol;
    readonly sqlite3_stmt _symbolsAfter;
    byte[] _fields = new byte[4096];
    byte[] _text = new byte[4096];

    // The encoder whose symbol table this store's table is a prefix of: its rows bind as they are.
    // Cleared when the table gets symbols from elsewhere (the event path, another writer).
    EventRowEncoder? _prefixOf;

    public EventInserter(sqlite3 db, SymbolTable symbols)
    {
        _db = db;
        _symbols = symbols;
        _insert = Prepare("""
            INSERT INTO events (id, time_source, time_observation, feed, classification_type, organisation, tlp, fields, raw, source_ip, source_asn)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            ON CONFLICT(id) DO NOTHING
            """);
        _begin = Prepare("BEGIN IMMEDIATE");
        _commit = Prepare("COMMIT");
        _rollback = Prepare("ROLLBACK");
        _insertSymbol = Prepare("INSERT INTO symbols (id, text) VALUES (?1, ?2)");
        _maxSymbol = Prepare("SELECT coalesce(max(id), 0) FROM symbols");
        _symbolsAfter = Prepare("SELECT id, text FROM symbols WHERE id > ?1 ORDER BY id");
        LoadSymbols();
    }

    sqlite3_stmt Prepare(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var stmt), "prepare");
        return stmt;
    }

    /// <summary>Reads symbols another writer (or an earlier run) stored beyond what we know.</summary>
    void LoadSymbols()
    {
        Check(raw.sqlite3_bind_int64(_symbolsAfter, 1, _symbols.PersistedCount), "bind");
        try
        {
            int rc;
            while ((rc = raw.sqlite3_step(_symbolsAfter)) == SqliteRow)
            {
                var text = raw.sqlite3_column_text(_symbolsAfter, 1).utf8_to_string();
                // Field names become the same instances as the constants, so reference comparisons hit.
                _symbols.LoadPersisted(raw.sqlite3_column_int(_symbolsAfter, 0), string.IsInterned(text) ?? text);
                _prefixOf = null;
            }
            if (rc != SqliteDone)
            {
                Check(rc, "read symbols");
            }
        }
        finally
        {
            raw.sqlite3_reset(_symbolsAfter);
        }
    }

    int StoredMaxSymbol()
    {
        try
        {
            var rc = raw.sqlite3_step(_maxSymbol);
            if (rc != SqliteRow)
            {
                Check(rc, "read symbols");
            }
            return raw.sqlite3_column_int(_maxSymbol, 0);
        }
        finally
        {
            raw.sqlite3_reset(_maxSymbol);
        }
    }

    public StoreResult Store(IReadOnlyList<Event> batch)
    {
        Step(_begin, "begin");
        try
        {
            if (StoredMaxSymbol() != _symbols.PersistedCount)
            {
                LoadSymbols();
            }
            int inserted = 0, duplicates = 0;
            var symbolsBefore = _symbols.Count;
            try
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (Insert(batch[i]))
                    {
                        inserted++;
                    }
                    else
                    {
                        duplicates++;
                    }
                }
            }
            finally
            {
                if (_symbols.Count != symbolsBefore)
                {
                    _prefixOf = null;
                }
            }
            CommitWithSymbols();
            return new StoreResult(inserted, duplicates);
        }
        catch
        {
            RollbackAndDiscardSymbols();
            throw;
        }
    }

    /// <summary>An encoder whose ids continue this store's symbols (under the write lock).</summary>
    public EventRowEncoder CreateEncoder()
    {
        var encoder = new EventRowEncoder(_symbols.Copy());
        _prefixOf = encoder;
        return encoder;
    }

    /// <summary>Stores pre-encoded rows in one transaction, with the new symbols they use.</summary>
    public StoreResult StoreEncoded(IEnumerable<EncodedEventBatch> batches)
    {
        Step(_begin, "begin");
        try
        {
            if (StoredMaxSymbol() != _symbols.PersistedCount)
            {
                LoadSymbols();
            }
            int inserted = 0, duplicates = 0;
            foreach (var batch in batches)
            {
                if (batch.Encoder is not { } encoder || batch.Count == 0)
                {
                    continue;
                }
                // Fast path: the rows' symbol ids are ours once we take the encoder's new symbols.
                var asEncoded = ReferenceEquals(encoder, _prefixOf);
                if (asEncoded && batch.SymbolWatermark > _symbols.Count)
                {
                    _symbols.AppendFrom(encoder.Symbols, batch.SymbolWatermark);
                }
                var offset = 0;
                for (var i = 0; i < batch.Count; i++)
                {
                    var row = batch.ReadRow(ref offset);
                    if (InsertEncoded(row, asEncoded ? null : encoder))
                    {
                        inserted++;
                    }
                    else
                    {
                        duplicates++;
                    }
                }
            }
            CommitWithSymbols();
            return new StoreResult(inserted, duplicates);
        }
        catch
        {
            // Still a prefix of the encoder's table (the pending symbols were its own).
            RollbackAndDiscardSymbols();
            throw;
        }
    }

    /// <summary>Binds one pre-encoded row; with <paramref name="reencodeFrom"/>, its field blob is first re-encoded from that encoder's symbols to ours.</summary>
    bool InsertEncoded(in EncodedEventBatch.Row row, EventRowEncoder? reencodeFrom)
    {
        var s = _insert;
        Check(raw.sqlite3_bind_blob(s, 1, row.Id), "bind");
        Check(row.TimeSource is { } ts ? raw.sqlite3_bind_int64(s, 2, ts) : raw.sqlite3_bind_null(s, 2), "bind");
        Check(raw.sqlite3_bind_int64(s, 3, row.TimeObservation), "bind");
        Check(raw.sqlite3_bind_text(s, 4, row.Feed), "bind");
        Check(row.HasType ? raw.sqlite3_bind_text(s, 5, row.Type) : raw.sqlite3_bind_null(s, 5), "bind");
        Check(row.HasOrganisation ? raw.sqlite3_bind_text(s, 6, row.Organisation) : raw.sqlite3_bind_null(s, 6), "bind");
        Check(raw.sqlite3_bind_int(s, 7, row.Tlp), "bind");
        if (reencodeFrom is null)
        {
            Check(raw.sqlite3_bind_blob(s, 8, row.Fields), "bind");
        }
        else
        {
            // Another writer added symbols since the encoder started: its ids are not ours.
            _prefixOf = null;
            var e = new Event();
            if (!EventCodec.TryDecode(row.Fields, e, reencodeFrom.Symbols))
            {
                throw new StorageException("An encoded event cannot be decoded with its encoder's symbols.", isTransient: false);
            }
            var max = EventCodec.MaxEncodedLength(e);
            if (_fields.Length < max)
            {
                _fields = new byte[Math.Max(max, _fields.Length * 2)];
            }
            var n = EventCodec.Encode(e, _fields, _symbols);
            Check(raw.sqlite3_bind_blob(s, 8, _fields.AsSpan(0, n)), "bind");
        }
        Check(row.HasRaw ? raw.sqlite3_bind_text(s, 9, row.Raw) : raw.sqlite3_bind_null(s, 9), "bind");
        Check(row.SourceIp.IsEmpty ? raw.sqlite3_bind_null(s, 10) : raw.sqlite3_bind_blob(s, 10, row.SourceIp), "bind");
        Check(row.SourceAsn is { } asn ? raw.sqlite3_bind_int64(s, 11, asn) : raw.sqlite3_bind_null(s, 11), "bind");
        var rc = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        if (rc != SqliteDone)
        {
            Check(rc, "store events");
        }
        return raw.sqlite3_changes(_db) == 1;
    }

    /// <summary>Symbols first seen in this transaction are stored in it, so committed rows never refer to unknown ids.</summary>
    void CommitWithSymbols()
    {
        foreach (var (id, text) in _symbols.Pending())
        {
            Check(raw.sqlite3_bind_int(_insertSymbol, 1, id), "bind");
            BindText(_insertSymbol, 2, text);
            Step(_insertSymbol, "store symbols");
        }
        Step(_commit, "commit");
        _symbols.MarkPersisted();
    }

    void RollbackAndDiscardSymbols()
    {
        if (raw.sqlite3_get_autocommit(_db) == 0)
        {
            raw.sqlite3_step(_rollback);
            raw.sqlite3_reset(_rollback);
        }
        _symbols.DiscardPending();
    }

    bool Insert(Event e)
    {
        var (timeSource, timeObservation, feed, type, sourceIp, sourceAsn) = IndexedColumns.Of(e);

        var s = _insert;
        Span<byte> id = stackalloc byte[16];
        e.Id.WriteBytes(id);
        Check(raw.sqlite3_bind_blob(s, 1, id), "bind");
        Check(timeSource is { } ts and not long.MinValue ? raw.sqlite3_bind_int64(s, 2, ts) : raw.sqlite3_bind_null(s, 2), "bind");
        Check(raw.sqlite3_bind_int64(s, 3, timeObservation is { } to and not long.MinValue ? to : DateTime.UtcNow.Ticks), "bind");
        BindValue(s, 4, feed, nullIfMissing: false);
        BindValue(s, 5, type, nullIfMissing: true);
        BindText(s, 6, e.Organisation);
        Check(raw.sqlite3_bind_int(s, 7, (int)e.Tlp), "bind");
        var max = EventCodec.MaxEncodedLength(e);
        if (_fields.Length < max)
        {
            _fields = new byte[Math.Max(max, _fields.Length * 2)];
        }
        var n = EventCodec.Encode(e, _fields, _symbols);
        Check(raw.sqlite3_bind_blob(s, 8, _fields.AsSpan(0, n)), "bind");
        if (e.HasRaw)
        {
            BindText(s, 9, e.RawSpan);
        }
        else
        {
            Check(raw.sqlite3_bind_null(s, 9), "bind");
        }
        if (sourceIp.Kind == FieldKind.Address)
        {
            Span<byte> ip = stackalloc byte[16];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(ip, sourceIp.Address.Value);
            Check(raw.sqlite3_bind_blob(s, 10, ip), "bind");
        }
        else
        {
            Check(raw.sqlite3_bind_null(s, 10), "bind");
        }
        Check(sourceAsn.Kind == FieldKind.Integer ? raw.sqlite3_bind_int64(s, 11, sourceAsn.Integer) : raw.sqlite3_bind_null(s, 11), "bind");
        var rc = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        if (rc != SqliteDone)
        {
            Check(rc, "store events");
        }
        return raw.sqlite3_changes(_db) == 1;
    }

    /// <summary>Binds a field as text, like <see cref="Event.GetText"/> (any kind, formatted), without a string for text values.</summary>
    void BindValue(sqlite3_stmt s, int index, FieldValue v, bool nullIfMissing)
    {
        if (v.Kind == FieldKind.Text)
        {
            BindText(s, index, v.TextSpan);
        }
        else if (v.Kind == FieldKind.None)
        {
            if (nullIfMissing)
            {
                Check(raw.sqlite3_bind_null(s, index), "bind");
            }
            else
            {
                BindText(s, index, []);
            }
        }
        else
        {
            BindText(s, index, v.ToString());
        }
    }

    void BindText(sqlite3_stmt s, int index, string? text)
    {
        if (text is null)
        {
            Check(raw.sqlite3_bind_null(s, index), "bind");
            return;
        }
        BindText(s, index, text.AsSpan());
    }

    void BindText(sqlite3_stmt s, int index, ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (_text.Length < max)
        {
            _text = new byte[Math.Max(max, _text.Length * 2)];
        }
        var n = Encoding.UTF8.GetBytes(text, _text);
        Check(raw.sqlite3_bind_text(s, index, _text.AsSpan(0, n)), "bind");
    }

    void Step(sqlite3_stmt s, string what)
    {
        var rc = raw.sqlite3_step(s);
        raw.sqlite3_reset(s);
        if (rc != SqliteDone)
        {
            Check(rc, what);
        }
    }

    void Check(int rc, string what)
    {
        if (rc != SqliteOk)
        {
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6) clear up when the other writer finishes.
            var primary = rc & 0xFF;
            throw new StorageException($"SQLite failed to {what}: {raw.sqlite3_errstr(rc).utf8_to_string()} ({raw.sqlite3_errmsg(_db).utf8_to_string()})", isTransient: primary is 5 or 6);
        }
    }

    public void Dispose()
    {
        foreach (var s in new[] { _insert, _begin, _commit, _rollback, _insertSymbol, _maxSymbol, _symbolsAfter })
        {
            s.Dispose();
        }
    }
}
