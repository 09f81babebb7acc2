using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Widgets.Hosting;

/// <summary>Asks the mode's database a trivial question, for readiness checks, on the host's own pool.</summary>
public sealed class StorageProbe(IConfiguration configuration, PostgresPool pool)
{
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        var widgets = WidgetsOptions.From(configuration);
        await using DbConnection connection = widgets.Mode == HostingMode.Cluster
            ? new NpgsqlConnection(ClusterSettings.PostgresConnectionString(configuration, pool))
            : new SqliteConnection(widgets.SqliteConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
