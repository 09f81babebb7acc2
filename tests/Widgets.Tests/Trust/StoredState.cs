using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Widgets.Grains.Sessions;
using Widgets.Hosting.Storage;
using Widgets.Sessions;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// Reads what the gateway persisted in embedded mode (grain state in <c>widgets.db</c>, decoded as the silo's storage
/// format does), for facts no endpoint shows: the consent kept with each message, and that client secrets are kept
/// only as hashes.
/// </summary>
public static class StoredState
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(SessionRecord).Assembly).AddAssembly(typeof(ConsentRecord).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    /// <summary>Every stored session state.</summary>
    public static async Task<IReadOnlyList<SessionRecord>> Sessions(string dataDirectory)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = Database(dataDirectory), Mode = SqliteOpenMode.ReadOnly }.ToString();
        await using var db = new SqliteConnection(connection);
        await db.OpenAsync();
        await using var query = db.CreateCommand();
        query.CommandText = "SELECT PayloadBinary FROM OrleansStorage WHERE GrainTypeString = 'session' AND PayloadBinary IS NOT NULL";
        var sessions = new List<SessionRecord>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var payload = (byte[])reader[0];
            Assert.True(payload[0] == BinaryStateFormat.Marker, "A session was stored in another format than the silo's binary one.");
            sessions.Add(Serializer.Deserialize<SessionRecord>(payload.AsMemory(1))!);
        }

        return sessions;
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
