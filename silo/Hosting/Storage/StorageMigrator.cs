using DbUp;
using DbUp.Builder;
using DbUp.Engine.Output;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Brings a database up to the Orleans schema in deploy/sql (embedded as <c>sqlite.*.sql</c> and
/// <c>postgres.*.sql</c>). Applied scripts are recorded in a journal table, so a second run is a
/// no-op; a failure throws <see cref="InvalidOperationException"/> naming the script. On PostgreSQL, migrators
/// take turns under an advisory lock, so any number may start at once (a Kubernetes Job retried, several hosts):
/// one applies the scripts, the others wait and then find nothing left to do.
/// </summary>
public static class StorageMigrator
{
    private const string SqliteJournalTable = "SchemaVersions";
    private const string PostgresJournalSchema = "public";
    private const string PostgresJournalTable = "schemaversions";

    /// <summary>The advisory lock migrators of one database take turns under ("WIDGETS1" in ASCII).</summary>
    private const long PostgresMigrationLock = 0x5749444745545331;

    /// <summary>How long a migrator waits for another one to finish before giving up.</summary>
    public static readonly TimeSpan DefaultLockWait = TimeSpan.FromMinutes(5);

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

    public static void MigratePostgres(string connectionString, ILogger logger) => MigratePostgres(connectionString, logger, DefaultLockWait);

    public static void MigratePostgres(string connectionString, ILogger logger, TimeSpan lockWait)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        try
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, new MicrosoftUpgradeLog(logger));
        }
        catch (Exception ex)
        {
            // Managed servers often deny CREATE DATABASE or access to the "postgres" database, and a migrator
            // started at the same moment may have created it first; when the database exists the migration below
            // still works.
            logger.LogWarning(ex, "Could not check or create the PostgreSQL database; continuing on the assumption that it exists");
        }

        // A session-level lock on a connection of its own, outside the pool, released explicitly (and by PostgreSQL
        // if this process dies): DbUp's own connections come and go while it is held.
        using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        try
        {
            session.Open();
        }
        catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"PostgreSQL migration failed before any script ran: cannot connect ({ex.Message}). Fix: check the connection string and that the database server is reachable.", ex);
        }

        TakeMigrationLock(session, lockWait, logger);
        try
        {
            var builder = DeployChanges.To.PostgresqlDatabase(connectionString)
                .JournalToPostgresqlTable(PostgresJournalSchema, PostgresJournalTable);
            Upgrade(builder, "postgres.", "PostgreSQL", $"table {PostgresJournalSchema}.{PostgresJournalTable}", logger);
        }
        finally
        {
            using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", session);
            unlock.Parameters.AddWithValue("key", PostgresMigrationLock);
            unlock.ExecuteScalar();
        }
    }

    private static void TakeMigrationLock(NpgsqlConnection session, TimeSpan wait, ILogger logger)
    {
        var deadline = DateTime.UtcNow + wait;
        var announced = false;
        while (true)
        {
            using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", session))
            {
                tryLock.Parameters.AddWithValue("key", PostgresMigrationLock);
                if (tryLock.ExecuteScalar() is true)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL migration did not start: another migrator ({Holder(session)}) has held the schema lock for more than {wait.TotalSeconds:0} s. " +
                    "Fix: wait for it to finish, or end that session (SELECT pg_terminate_backend(pid)) if it hangs, then run the migration again.");
            }

            if (!announced)
            {
                logger.LogInformation("Another migrator ({Holder}) is migrating this database; waiting for it (at most {Wait})", Holder(session), wait);
                announced = true;
            }

            Thread.Sleep(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>Who holds the migration lock, for the log: "pid 123 from 10.0.0.7 since 12:00:01".</summary>
    private static string Holder(NpgsqlConnection session)
    {
        using var query = new NpgsqlCommand(
            """
            SELECT 'pid ' || a.pid || coalesce(' from ' || host(a.client_addr), '') || ' since ' || to_char(a.backend_start, 'HH24:MI:SS')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = @key
            LIMIT 1
            """, session);
        query.Parameters.AddWithValue("key", PostgresMigrationLock);
        return query.ExecuteScalar() as string ?? "a session that has just finished";
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
