using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Belfry.Storage.Sqlite;

/// <summary>
/// Symbols for a reader: the store's table for ids it has committed, else the reader's own
/// snapshot of the symbols table (another process may have written newer ones).
/// </summary>
sealed class StoredSymbols(SymbolTable table, SqliteConnection connection) : ISymbolResolver
{
    Dictionary<int, string>? _fromDatabase;

    public bool TryGetSymbol(int id, [NotNullWhen(true)] out string? text)
    {
        if (id <= table.PersistedCount && table.TryGetSymbol(id, out text))
        {
            return true;
        }
        _fromDatabase ??= [];
        if (_fromDatabase.TryGetValue(id, out text))
        {
            return true;
        }
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT text FROM symbols WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        if (cmd.ExecuteScalar() is not string s)
        {
            return false;
        }
        text = string.IsInterned(s) ?? s;
        _fromDatabase[id] = text;
        return true;
    }
}
