using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Widgets.Grains;

namespace Widgets.Hosting.Storage;

/// <summary>
/// Puts the grain storage and the reminder table of either mode in front of an <see cref="IStorageRowWriter"/>: reads
/// stay with Orleans' ADO.NET providers, row writes go to the writer's batches.
/// </summary>
public static class BatchedStorage
{
    /// <summary>The ADO.NET storage's own registration; grains use <see cref="WidgetsStorage.Name"/>, the batched one.</summary>
    public const string InnerStorageName = WidgetsStorage.Name + "-ado";

    /// <summary>
    /// Call after the ADO.NET grain storage (as <see cref="InnerStorageName"/>) and reminder table are added, with the
    /// database's row writer registered as <see cref="IStorageRowWriter"/>.
    /// </summary>
    public static IServiceCollection AddBatchedStorage(this IServiceCollection services)
    {
        services.AddKeyedSingleton<IGrainStorage>(WidgetsStorage.Name, (sp, _) =>
        {
            // The inner provider's own options: the batched writes must hash and serialize exactly as it reads.
            var inner = sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(InnerStorageName);
            return new BatchedGrainStorage(
                sp.GetRequiredKeyedService<IGrainStorage>(InnerStorageName),
                sp.GetRequiredService<IStorageRowWriter>(),
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
                sp.GetRequiredService<IStorageRowWriter>(),
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId));
        return services;
    }

    /// <summary>Embedded mode: one <see cref="SqliteWriteGate"/> per file and the <see cref="SqliteBatchWriter"/>.</summary>
    public static IServiceCollection AddSqliteRowWriter(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(SqliteWriteGate.For(connectionString));
        services.AddSingleton(sp => new SqliteBatchWriter(
            sp.GetRequiredService<SqliteWriteGate>(), connectionString, sp.GetRequiredService<ILogger<SqliteBatchWriter>>()));
        services.AddSingleton<IStorageRowWriter>(sp => sp.GetRequiredService<SqliteBatchWriter>());
        return services;
    }

    /// <summary>Cluster mode: the <see cref="PostgresBatchWriter"/>, on the runtime connection string.</summary>
    public static IServiceCollection AddPostgresRowWriter(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(sp => new PostgresBatchWriter(connectionString, sp.GetRequiredService<ILogger<PostgresBatchWriter>>()));
        services.AddSingleton<IStorageRowWriter>(sp => sp.GetRequiredService<PostgresBatchWriter>());
        return services;
    }

    private static IReminderTable Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IReminderTable)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType
                ?? throw new InvalidOperationException("The reminder table registration has no implementation.")));
}
