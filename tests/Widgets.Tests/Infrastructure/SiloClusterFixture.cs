using Orleans.TestingHost;
using Widgets.Hosting;
using Xunit;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// A two-silo <see cref="TestCluster"/> configured exactly as production silos are (<c>AddWidgetsSilo</c>: ADO.NET
/// storage and reminders on SQLite, the dashboard, grain services), on a fresh data directory, shared by the
/// tests of <see cref="SiloClusterCollection"/>. Each test uses its own location, so tests never depend on order.
/// </summary>
public sealed class SiloClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public TestDataDirectory Data { get; } = new();

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async Task InitializeAsync() => Cluster = await WidgetsTestCluster.StartAsync(Data.Path);

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.StopAllSilosAsync();
            await Cluster.DisposeAsync();
        }

        Data.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloClusterCollection : ICollectionFixture<SiloClusterFixture>
{
    public const string Name = "Silo cluster";
}

/// <summary>Starts test clusters whose silos run our production silo configuration.</summary>
public static class WidgetsTestCluster
{
    /// <summary>How often a session's durable reminder re-checks its deadline in tests (production: 1 minute).</summary>
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Deploys two silos on <paramref name="dataDirectory"/>. Pass the same <paramref name="serviceId"/> to a
    /// second cluster on the same directory to model a restart: storage and reminder rows are keyed by service id.
    /// <paramref name="reminderPeriod"/> replaces <see cref="ReminderPeriod"/> (e.g. production's 1 minute);
    /// <paramref name="configure"/> adds to the silos' configuration after ours (e.g. a test clock).
    /// </summary>
    public static async Task<TestCluster> StartAsync(string dataDirectory, string? serviceId = null, TimeSpan? reminderPeriod = null, Action<TestClusterBuilder>? configure = null)
    {
        var builder = new TestClusterBuilder(2);
        if (serviceId is not null)
        {
            builder.Options.ServiceId = serviceId;
        }

        // Properties become configuration of every silo (and the client): ISiloBuilder.Configuration reads them.
        builder.Properties["Widgets:DataDirectory"] = dataDirectory;
        builder.Properties["Widgets:Sessions:MinTimeoutSeconds"] = "1";
        builder.Properties["Widgets:Sessions:ReminderPeriod"] = (reminderPeriod ?? ReminderPeriod).ToString("c");
        builder.Properties["Widgets:Sessions:StatsFlushInterval"] = "00:00:01";
        builder.Properties["Messaging:QuietHoursStart"] = "00:00";
        builder.Properties["Messaging:QuietHoursEnd"] = "00:00";
        builder.Properties["Messaging:DailyLimitPerRecipient"] = "1000";
        builder.AddSiloBuilderConfigurator<WidgetsSiloConfigurator>();
        configure?.Invoke(builder);
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    private sealed class WidgetsSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddWidgetsSilo(siloBuilder.Configuration);
    }
}

/// <summary>A fresh directory under the system temp folder, deleted on dispose.</summary>
public sealed class TestDataDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "widgets-tests", Guid.NewGuid().ToString("N"));

    public string OutboxPath => System.IO.Path.Combine(Path, "outbox");

    public TestDataDirectory() => Directory.CreateDirectory(Path);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a silo that is shutting down; the temp folder is cleaned by the OS.
        }
    }
}
