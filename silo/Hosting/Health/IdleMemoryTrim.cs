using System.Runtime;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;

namespace Widgets.Hosting.Health;

/// <summary>
/// Gives memory back to the machine once a busy spell is over: when the process has allocated little for a while after
/// allocating a lot, one compacting full collection returns the heap the burst grew, and glibc's free native pages go
/// back too (<c>Widgets:Memory:TrimWhenIdle</c>, on by default).
/// </summary>
/// <remarks>
/// Why: the runtime collects when allocations call for it, so a process that goes quiet after a rush (a store closing,
/// a benchmark ending) kept the heap the rush grew, with its fragmentation, for as long as it stayed quiet: measured
/// ~110 MB resident above its start-up size 60 s after a load run. One collection at the first quiet moment costs tens
/// of milliseconds of one core when nothing else runs; under steady traffic it never fires.
/// </remarks>
public sealed class IdleMemoryTrim(TimeProvider clock, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    /// <summary>How often the allocation rate is looked at.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(10);

    /// <summary>Allocations in one check period above this mean the process is busy (an idle host allocates a few MB).</summary>
    public const long BusyBytes = 64L * 1024 * 1024;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckEvery, clock);
        var lastAllocated = GC.GetTotalAllocatedBytes();
        var busySinceTrim = false;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var allocated = GC.GetTotalAllocatedBytes();
                var recent = allocated - lastAllocated;
                lastAllocated = allocated;
                if (recent > BusyBytes)
                {
                    busySinceTrim = true;
                }
                else if (busySinceTrim)
                {
                    busySinceTrim = false;
                    Trim();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Trim()
    {
        var before = Environment.WorkingSet;
        var started = clock.GetTimestamp();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        ReturnFreedNativeMemory();
        logger.LogInformation("Idle after a busy spell: the heap was compacted and returned in {Milliseconds:F0} ms; resident memory {BeforeMb} → {AfterMb} MB",
            clock.GetElapsedTime(started).TotalMilliseconds, before / (1024 * 1024), Environment.WorkingSet / (1024 * 1024));
    }

    /// <summary>
    /// glibc keeps memory that native code (SQLite, the runtime's own allocations, TLS) freed in its arenas; on Linux
    /// with glibc, <c>malloc_trim</c> returns those free pages to the machine. Elsewhere there is nothing to do.
    /// </summary>
    private void ReturnFreedNativeMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // Not glibc (e.g. musl on Alpine): its allocator has no trim call.
            logger.LogDebug("malloc_trim is not available on this C library; native free memory stays with the allocator");
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    public static IServiceCollection AddIdleMemoryTrim(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue("Widgets:Memory:TrimWhenIdle", true))
        {
            services.AddHostedService(sp => new IdleMemoryTrim(
                sp.GetService<TimeProvider>() ?? TimeProvider.System, sp.GetRequiredService<ILogger<IdleMemoryTrim>>()));
        }

        return services;
    }
}
