using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Widgets.Bench;

/// <summary>Something the benchmark drives: the baseline, the embedded gateway, or the local cluster.</summary>
public interface ITarget : IAsyncDisposable
{
    /// <summary>baseline, embedded or cluster.</summary>
    string Name { get; }

    string BaseUrl { get; }

    /// <summary>The HTTP process (for memory); in cluster mode the gateway.</summary>
    int MainPid { get; }

    /// <summary>Every process whose CPU counts as the server's (silos, gateway, PostgreSQL in cluster mode).</summary>
    IReadOnlyList<int> ServerPids();
}

public sealed record Credentials(string Id, string Secret);

/// <summary>Settings shared by every host the benchmark starts.</summary>
public static class BenchSettings
{
    public static readonly Credentials DemoPos = new("demo-pos", "bench-pos-secret-0123456789abcdef");
    public static readonly Credentials DemoAdmin = new("demo-admin", "bench-admin-secret-0123456789abcdef");
    public const string SigningKey = "bench-signing-key-0123456789abcdef0123456789abcdef";

    /// <summary>Configuration of the gateway (and silos) for a benchmark: no throttling, no suppressed SMS, quiet logs.</summary>
    public static IReadOnlyDictionary<string, string> Gateway(int minTimeoutSeconds = 1, int maxTimeoutSeconds = 3600) => new Dictionary<string, string>
    {
        ["Demo:Seed"] = "true",
        ["Demo:PosClientId"] = DemoPos.Id,
        ["Demo:PosClientSecret"] = DemoPos.Secret,
        ["Demo:AdminClientId"] = DemoAdmin.Id,
        ["Demo:AdminClientSecret"] = DemoAdmin.Secret,
        ["RateLimits:PosPerClientPerSecond"] = "100000000",
        ["RateLimits:PosPerTerminalPerSecond"] = "100000000",
        ["RateLimits:PublicPerIpPerSecond"] = "100000000",
        ["RateLimits:TokenPerIpPerMinute"] = "1000000000",
        ["Messaging:DailyLimitPerRecipient"] = "1000000",
        ["Messaging:QuietHoursStart"] = "00:00",
        ["Messaging:QuietHoursEnd"] = "00:00",
        ["Widgets:Sessions:MinTimeoutSeconds"] = minTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["Widgets:Sessions:MaxTimeoutSeconds"] = maxTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>
    /// A free port below Linux's ephemeral range (32768–60999 by default). A port from bind(0) lies inside that range,
    /// so between our check and the host's bind, the load generator's own outgoing connections (hundreds of them)
    /// could take it as their local port: a smoke run once failed that way with "address already in use".
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken; try another.
            }
        }

        throw new InvalidOperationException("no free port found between 20000 and 32000 after 200 tries");
    }
}

/// <summary>A .NET host run as a separate process: the baseline or the embedded gateway.</summary>
public sealed class ProcessTarget : ITarget
{
    private readonly Process process;

    private string? ownedDirectory;

    private ProcessTarget(string name, string baseUrl, Process process, string log, long startedTimestamp)
    {
        Name = name;
        BaseUrl = baseUrl;
        this.process = process;
        Log = log;
        StartedTimestamp = startedTimestamp;
    }

    public string Name { get; }

    public string BaseUrl { get; }

    public int MainPid => process.Id;

    public string Log { get; }

    /// <summary>Stopwatch timestamp taken just before the process was started.</summary>
    public long StartedTimestamp { get; }

    public IReadOnlyList<int> ServerPids() => [process.Id];

    public bool HasExited => process.HasExited;

    /// <summary>Starts the baseline server. It needs no data directory.</summary>
    public static ProcessTarget StartBaseline(Layout layout, string scratch) =>
        Start("baseline", layout.BaselineDll, scratch, new Dictionary<string, string>
        {
            ["Demo:Seed"] = "true",
            ["Demo:PosClientId"] = BenchSettings.DemoPos.Id,
            ["Demo:PosClientSecret"] = BenchSettings.DemoPos.Secret,
            ["Demo:AdminClientId"] = BenchSettings.DemoAdmin.Id,
            ["Demo:AdminClientSecret"] = BenchSettings.DemoAdmin.Secret,
        });

    /// <summary>Starts the gateway in embedded mode (silo inside, SQLite) on a data directory of its own.</summary>
    public static ProcessTarget StartEmbedded(Layout layout, string scratch, string? dataDirectory = null, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var settings = new Dictionary<string, string>(BenchSettings.Gateway());
        var owned = dataDirectory is null ? Directory.CreateTempSubdirectory("widgets-bench-data-").FullName : null;
        settings["Widgets:DataDirectory"] = dataDirectory ?? owned!;
        settings["Orleans:SiloPort"] = BenchSettings.FreePort().ToString(CultureInfo.InvariantCulture);
        settings["Orleans:GatewayPort"] = BenchSettings.FreePort().ToString(CultureInfo.InvariantCulture);
        foreach (var (k, v) in overrides ?? new Dictionary<string, string>())
        {
            settings[k] = v;
        }

        var target = Start("embedded", layout.GatewayDll, scratch, settings);
        target.ownedDirectory = owned;
        return target;
    }

    private static ProcessTarget Start(string name, string dll, string scratch, IReadOnlyDictionary<string, string> settings)
    {
        var port = BenchSettings.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var log = Path.Combine(scratch, $"{name}-{port}.log");
        var args = string.Join(' ', settings.Select(s => Quote($"--{s.Key}={s.Value}")).Prepend(Quote($"--urls={url}")));
        // exec: the pid is dotnet's own. The working directory is the build output, where the host finds its appsettings.json.
        var info = new ProcessStartInfo("/bin/bash")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardInput = true,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"exec dotnet {Quote(dll)} {args} > {Quote(log)} 2>&1");
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        var started = Stopwatch.GetTimestamp();
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {dll}");
        return new ProcessTarget(name, url, process, log, started);
    }

    /// <summary>Waits for /readyz (the gateway answers it once the silo runs and storage answers).</summary>
    public async Task WaitReady(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {process.ExitCode}; log {Log}:\n{Tail(Log)}");
            }

            try
            {
                using var response = await http.GetAsync(BaseUrl + "/readyz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} not ready after {timeout.TotalSeconds} s; log {Log}:\n{Tail(Log)}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (ownedDirectory is not null && Directory.Exists(ownedDirectory))
        {
            // The data directory the benchmark made for this host (SQLite database, outbox).
            Directory.Delete(ownedDirectory, recursive: true);
        }
    }

    public static string Tail(string path, int lines = 30) =>
        File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no log)";

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>
/// Cluster mode through deploy/local-cluster.sh: PostgreSQL, 2 silos and 1 gateway, on ports and a run folder of the
/// benchmark's own so that it never touches a cluster someone else runs on this machine.
/// </summary>
public sealed class ClusterTarget : ITarget
{
    // Below Linux's ephemeral range (32768–60999): a full run's screens scenario leaves thousands of loopback
    // connections behind, and one of them held 55532, so PostgreSQL could not listen there.
    private const int PgPort = 25532;
    private const int GatewayHttpBase = 5480;
    private readonly Layout layout;
    private readonly string runDirectory;
    private readonly Action<string> log;

    private ClusterTarget(Layout layout, string runDirectory, Action<string> log)
    {
        this.layout = layout;
        this.runDirectory = runDirectory;
        this.log = log;
    }

    public string Name => "cluster";

    public string BaseUrl => $"http://127.0.0.1:{GatewayHttpBase + 1}";

    public int MainPid => Pid("gateway-1") ?? 0;

    public IReadOnlyList<int> ServerPids()
    {
        var pids = new List<int>();
        foreach (var name in new[] { "silo-1", "silo-2", "gateway-1" })
        {
            if (Pid(name) is { } p)
            {
                pids.Add(p);
            }
        }

        if (Pid("postgres") is { } postmaster)
        {
            pids.AddRange(CpuProbe.WithChildren(postmaster));
        }

        return pids;
    }

    public static async Task<ClusterTarget> Start(Layout layout, Action<string> log)
    {
        var target = new ClusterTarget(layout, Path.Combine(layout.Scratch, "cluster-run"), log);
        await target.Script(TimeSpan.FromMinutes(2), "down", "--purge");
        var (code, output) = await target.Script(TimeSpan.FromMinutes(10), "up", "--silos", "2", "--gateways", "1");
        if (code != 0)
        {
            throw new InvalidOperationException($"local-cluster.sh up failed ({code}):\n{output}");
        }

        return target;
    }

    public async ValueTask DisposeAsync()
    {
        var (code, output) = await Script(TimeSpan.FromMinutes(2), "down", "--purge");
        if (code != 0)
        {
            log($"local-cluster.sh down failed ({code}): {output}");
        }
    }

    private int? Pid(string name) =>
        File.Exists(Path.Combine(runDirectory, $"{name}.pid")) && int.TryParse(File.ReadAllText(Path.Combine(runDirectory, $"{name}.pid")).Trim(), out var p) ? p : null;

    private Task<(int Code, string Output)> Script(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { WorkingDirectory = layout.Root };
        info.ArgumentList.Add(Path.Combine(layout.Root, "deploy", "local-cluster.sh"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        info.Environment["WIDGETS_RUN_DIR"] = runDirectory;
        info.Environment["WIDGETS_PG_PORT"] = PgPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["WIDGETS_PG_DIR"] = $"/tmp/widgets-bench-pg-{PgPort}";
        info.Environment["WIDGETS_SILO_PORT_BASE"] = "11510";
        info.Environment["WIDGETS_SILO_GATEWAY_PORT_BASE"] = "30500";
        info.Environment["WIDGETS_SILO_HTTP_BASE"] = "5490";
        info.Environment["WIDGETS_GATEWAY_HTTP_BASE"] = GatewayHttpBase.ToString(CultureInfo.InvariantCulture);
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        info.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (k, v) in BenchSettings.Gateway())
        {
            info.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        }

        return Tools.Run(info, timeout);
    }
}

/// <summary>A service someone else started (for profiling): <c>--url</c> and, for CPU and memory, <c>--pid</c>.</summary>
public sealed class ExternalTarget(string baseUrl, int pid) : ITarget
{
    public string Name => "external";

    public string BaseUrl => baseUrl;

    public int MainPid => pid;

    public IReadOnlyList<int> ServerPids() => pid > 0 ? [pid] : [];

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Where things are: the repository, the build outputs, the tools manifest, scratch space.</summary>
public sealed record Layout(string Root, string BenchDirectory, string GatewayDll, string BaselineDll, string Scratch);
