using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Widgets.Grains;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Puts the embedded SQLite grain storage and reminder table behind one <see cref="SqliteWriteGate"/>; grain writes and
/// reminder rows are stored in batches by one <see cref="SqliteBatchWriter"/>.
/// </summary>
public static class SqliteWrites
{
    /// <summary>The ADO.NET storage's own registration; grains use <see cref="WidgetsStorage.Name"/>, the gated one.</summary>
    public const string InnerStorageName = WidgetsStorage.Name + "-sqlite";

    /// <summary>Call after the ADO.NET grain storage (as <see cref="InnerStorageName"/>) and reminder table are added.</summary>
    public static IServiceCollection AddSqliteWriteGate(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(SqliteWriteGate.For(connectionString));
        services.AddSingleton(sp => new SqliteBatchWriter(
            sp.GetRequiredService<SqliteWriteGate>(), connectionString, sp.GetRequiredService<ILogger<SqliteBatchWriter>>()));
        services.AddKeyedSingleton<IGrainStorage>(WidgetsStorage.Name, (sp, _) =>
        {
            // The inner provider's own options: the batched writer must hash and serialize exactly as it reads.
            var inner = sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(InnerStorageName);
            return new BatchedGrainStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(InnerStorageName),
                sp.GetRequiredService<SqliteWriteGate>(),
                sp.GetRequiredService<SqliteBatchWriter>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                InnerStorageName,
                inner.GrainStorageSerializer,
                inner.HashPicker);
        });

        var reminderTable = services.Last(d => d.ServiceType == typeof(IReminderTable) && !d.IsKeyedService);
        services.Remove(reminderTable);
        services.AddSingleton<IReminderTable>(sp =>
            new BatchedReminderTable(
                Create(sp, reminderTable),
                sp.GetRequiredService<SqliteWriteGate>(),
                sp.GetRequiredService<SqliteBatchWriter>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        return services;
    }

    private static IReminderTable Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IReminderTable)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType
                ?? throw new InvalidOperationException("The reminder table registration has no implementation.")));
}
