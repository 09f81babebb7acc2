using Orleans.Runtime;

namespace Widgets.Hosting.Storage;

/// <summary>Applies the SQLite schema as the silo's first start step, before storage and reminders read it.</summary>
internal sealed class SqliteMigrationParticipant(string connectionString, ILogger<SqliteMigrationParticipant> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SqliteMigrationParticipant), ServiceLifecycleStage.First, _ =>
        {
            StorageMigrator.MigrateSqlite(connectionString, logger);
            return Task.CompletedTask;
        });
}
