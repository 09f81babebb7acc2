using Microsoft.Extensions.Logging;
using Npgsql;
using Widgets.Hosting.Storage;
using Widgets.Tests.Cluster;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Schema migrations on a real PostgreSQL server: started several at once (a retried Kubernetes Job, hosts that each
/// migrate), they take turns under an advisory lock; the services then run as a role that cannot change the schema.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed class MigrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Three_migrators_started_together_on_an_empty_database_all_succeed_and_apply_each_script_once()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var database = postgres.ConnectionStringFor($"empty_{Guid.NewGuid():N}"[..20]);
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new OutputLogger(output)));

        using var start = new Barrier(3);
        var migrators = Enumerable.Range(1, 3).Select(i => Task.Run(() =>
        {
            start.SignalAndWait();
            StorageMigrator.MigratePostgres(database, loggers.CreateLogger($"migrator-{i}"), TimeSpan.FromMinutes(1));
        })).ToList();
        await Task.WhenAll(migrators);

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var scripts = await ListAsync(connection, "SELECT scriptname FROM public.schemaversions ORDER BY scriptname");
        var shipped = typeof(StorageMigrator).Assembly.GetManifestResourceNames().Where(n => n.StartsWith("postgres.", StringComparison.Ordinal)).Order().ToList();
        Assert.Equal(shipped, scripts);
        Assert.Contains("OrleansMembershipTable".ToLowerInvariant(), await ListAsync(connection, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"));
    }

    [Fact]
    public async Task The_runtime_role_reads_and_writes_state_but_cannot_change_the_schema()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using (var owner = new NpgsqlConnection(postgres.ConnectionString))
        {
            await owner.OpenAsync();
            await ExecuteAsync(owner, "CREATE ROLE widgets_app_test LOGIN IN ROLE widgets_runtime");
        }

        await using var app = new NpgsqlConnection(postgres.ConnectionStringFor("widgets", "widgets_app_test"));
        await app.OpenAsync();
        await ExecuteAsync(app, "INSERT INTO OrleansMembershipVersionTable (DeploymentId, Timestamp, Version) VALUES ('runtime-role-test', now(), 0)");
        await ExecuteAsync(app, "UPDATE OrleansMembershipVersionTable SET Version = 1 WHERE DeploymentId = 'runtime-role-test'");
        Assert.Contains("runtime-role-test", await ListAsync(app, "SELECT DeploymentId FROM OrleansMembershipVersionTable"));
        await ExecuteAsync(app, "DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = 'runtime-role-test'");

        foreach (var ddl in new[] { "CREATE TABLE intruder (id int)", "DROP TABLE OrleansQuery", "ALTER TABLE OrleansQuery ADD COLUMN x int", "DELETE FROM schemaversions" })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(app, ddl));
            Assert.True(refused.SqlState is PostgresErrorCodes.InsufficientPrivilege, $"{ddl}: {refused.SqlState} {refused.MessageText}");
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>The migrators' logs in the test output: who applied, who waited.</summary>
    private sealed class OutputLogger(ITestOutputHelper output) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => new Named(output, categoryName);

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        private sealed class Named(ITestOutputHelper output, string name) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                try
                {
                    output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {name} {logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
                }
                catch (InvalidOperationException)
                {
                    // The test has finished.
                }
            }
        }
    }
}
