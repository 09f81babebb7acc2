using Microsoft.Data.Sqlite;

namespace Widgets.Hosting.Storage;

public static class SqliteConnectionString
{
    public const string DefaultFileName = "widgets.db";

    /// <summary>
    /// Connection string for the database file in <paramref name="dataDirectory"/>, with an
    /// absolute path so the silo's working directory does not matter. No shared cache: SQLite
    /// discourages it, and WAL (set by <see cref="StorageMigrator"/>) already lets readers and the
    /// writer proceed side by side.
    /// </summary>
    public static string ForDataDirectory(string dataDirectory, string fileName = DefaultFileName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(Path.Combine(dataDirectory, fileName)),
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();
    }
}
