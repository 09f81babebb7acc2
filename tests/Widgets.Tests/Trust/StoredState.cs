using System.Text;
using Microsoft.Data.Sqlite;

namespace Widgets.Tests.Trust;

/// <summary>
/// Reads what the gateway persisted in embedded mode (grain state as JSON in <c>widgets.db</c>), for facts no
/// endpoint shows: the consent kept with each message, and that client secrets are kept only as hashes.
/// </summary>
public static class StoredState
{
    /// <summary>The stored states (JSON text) of grains of <paramref name="grainType"/> (e.g. <c>session</c>) that contain <paramref name="text"/>.</summary>
    public static async Task<IReadOnlyList<string>> Containing(string dataDirectory, string grainType, string text)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = Database(dataDirectory), Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var db = new SqliteConnection(connection);
        await db.OpenAsync();
        await using var query = db.CreateCommand();
        query.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = $type AND PayloadBinary IS NOT NULL";
        query.Parameters.AddWithValue("$type", grainType);
        var states = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var state = Encoding.UTF8.GetString((byte[])reader[0]);
            if (state.Contains(text, StringComparison.Ordinal))
            {
                states.Add(state);
            }
        }

        return states;
    }

    /// <summary>Whether <paramref name="text"/> occurs anywhere in the database files (the write-ahead log included), as UTF-8.</summary>
    public static bool FilesContain(string dataDirectory, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        foreach (var path in new[] { Database(dataDirectory), Database(dataDirectory) + "-wal" }.Where(File.Exists))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            file.CopyTo(copy);
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static string Database(string dataDirectory) => Path.Combine(dataDirectory, "widgets.db");
}
