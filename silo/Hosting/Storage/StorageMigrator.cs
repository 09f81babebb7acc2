using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Brings a database up to the Orleans schema in deploy/sql (embedded as <c>sqlite.*.sql</c> and
/// <c>postgres.*.sql</c>). Applied scripts are recorded in a journal table, so a second run is a
/// no-op; a failure throws <see cref="InvalidOperationException"/> naming the script.
/// </summary>
public static class StorageMigrator
{
    private const string SqliteJournalTable = "SchemaVersions";
    private const string PostgresJournalSchema = "public";
    private const string PostgresJournalTable = "schemaversions";

    public static void MigrateSqlite(string connectionString, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        var dataSource = new SqliteConnectionStringBuilder(connectionString).DataSource;
        try
        {
            CreateParentDirectory(dataSource);
            EnableWriteAheadLog(connectionString, logger);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Could not open the SQLite database '{dataSource}': {ex.Message} " +
                "Fix: point the connection string's Data Source at a writable path.", ex);
        }

        var builder = DeployChanges.To.SqliteDatabase(connectionString)
            .JournalToSqliteTable(SqliteJournalTable);
        Upgrade(builder, "sqlite.", "SQLite", $"table {SqliteJournalTable}", logger);
    }

    public static void MigratePostgres(string connectionString, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        try
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, new MicrosoftUpgradeLog(logger));
        }
        catch (Exception ex)
        {
            // Managed servers often deny CREATE DATABASE or access to the "postgres" database;
            // when the database already exists the migration below still works.
            logger.LogWarning(ex, "Could not check or create the PostgreSQL database; continuing on the assumption that it exists");
        }

        var builder = DeployChanges.To.PostgresqlDatabase(connectionString)
            .JournalToPostgresqlTable(PostgresJournalSchema, PostgresJournalTable);
        Upgrade(builder, "postgres.", "PostgreSQL", $"table {PostgresJournalSchema}.{PostgresJournalTable}", logger);
    }

    private static void Upgrade(UpgradeEngineBuilder builder, string prefix, string engineName, string journal, ILogger logger)
    {
        var engine = builder
            .WithScriptsEmbeddedInAssembly(typeof(StorageMigrator).Assembly, name => name.StartsWith(prefix, StringComparison.Ordinal))
            .WithTransactionPerScript()
            // Variable substitution would treat PostgreSQL $tag$ quotes as $variables$.
            .WithVariablesDisabled()
            .LogTo(logger)
            .Build();

        if (!engine.TryConnect(out var connectError))
        {
            throw new InvalidOperationException(
                $"{engineName} migration failed before any script ran: cannot connect ({connectError}). " +
                "Fix: check the connection string and that the database server is reachable.");
        }

        foreach (var unknown in engine.GetExecutedButNotDiscoveredScripts())
        {
            logger.LogWarning("{Engine} journal lists script {Script}, which this build does not ship; is the database newer than the code?", engineName, unknown);
        }

        var pending = engine.GetScriptsToExecute().Select(s => s.Name).ToList();
        if (pending.Count == 0)
        {
            logger.LogInformation("{Engine} schema is up to date", engineName);
            return;
        }

        logger.LogInformation("{Engine} migration: applying {Count} script(s): {Scripts}", engineName, pending.Count, pending);
        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            var script = result.ErrorScript?.Name ?? "(none)";
            throw new InvalidOperationException(
                $"{engineName} migration failed in script '{script}': {result.Error?.Message} " +
                $"The script was rolled back and is not recorded in {journal}. Fix: correct the script " +
                "(or the database state it trips over) and restart; never edit a script that has already " +
                "been applied elsewhere, ship the change as a new, higher-numbered script instead.",
                result.Error);
        }

        logger.LogInformation("{Engine} migration applied {Count} script(s)", engineName, result.Scripts.Count());
    }

    private static void CreateParentDirectory(string dataSource)
    {
        if (dataSource.Length == 0 || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    // The journal mode is stored in the database file, so setting it once here covers every later
    // connection. It cannot change inside a transaction, hence outside DbUp.
    private static void EnableWriteAheadLog(string connectionString, ILogger logger)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        var mode = Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            logger.LogInformation("SQLite journal mode is {JournalMode}", mode);
        }
        else
        {
            logger.LogWarning("SQLite refused WAL; journal mode is {JournalMode} (expected for in-memory databases)", mode);
        }
    }
}
