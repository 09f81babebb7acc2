using Npgsql;
using Widgets.Hosting;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>The connection pool each kind of host opens on PostgreSQL (deploy/README.md, "Connections").</summary>
public sealed class ClusterSettingsTests
{
    private const string Configured = "Host=db.example.com;Database=widgets;Username=widgets_app;Password=secret";

    [Theory]
    [InlineData(PostgresPool.Silo, 20)]
    [InlineData(PostgresPool.Gateway, 4)]
    public void A_connection_string_that_sets_no_pool_settings_gets_the_hosts_defaults(PostgresPool pool, int maxPoolSize)
    {
        var pooled = new NpgsqlConnectionStringBuilder(ClusterSettings.WithRuntimeDefaults(Configured, pool));

        Assert.Equal(maxPoolSize, pooled.MaxPoolSize);
        Assert.Equal(60, pooled.ConnectionIdleLifetime);
        Assert.Equal(5, pooled.Timeout);
        Assert.True(pooled.NoResetOnClose);
        Assert.Equal(32, pooled.MaxAutoPrepare);
        Assert.Equal(("db.example.com", "widgets", "widgets_app", "secret"), (pooled.Host, pooled.Database, pooled.Username, pooled.Password));
    }

    [Theory]
    [InlineData("Maximum Pool Size=50;Connection Idle Lifetime=300;Timeout=15;No Reset On Close=false;Max Auto Prepare=0")]
    [InlineData("MaxPoolSize=50;ConnectionIdleLifetime=300;Timeout=15;NoResetOnClose=false;MaxAutoPrepare=0")]
    public void Pool_settings_the_operator_wrote_are_kept_in_either_spelling(string settings)
    {
        foreach (var pool in Enum.GetValues<PostgresPool>())
        {
            var pooled = new NpgsqlConnectionStringBuilder(ClusterSettings.WithRuntimeDefaults($"{Configured};{settings}", pool));

            Assert.Equal(50, pooled.MaxPoolSize);
            Assert.Equal(300, pooled.ConnectionIdleLifetime);
            Assert.Equal(15, pooled.Timeout);
            Assert.False(pooled.NoResetOnClose);
            Assert.Equal(0, pooled.MaxAutoPrepare);
        }
    }
}
