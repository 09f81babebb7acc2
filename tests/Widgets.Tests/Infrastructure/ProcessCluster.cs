using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// A whole cluster as separate processes, started and stopped by the product's own <c>deploy/local-cluster.sh</c>:
/// a throwaway PostgreSQL, silos and gateways. Everything is private to this instance (its own run folder, PostgreSQL
/// folder and port, and free ports for every host), so it never meets a developer's cluster or another test's. Dispose
/// runs <c>down --purge</c> and then checks by pid that nothing it started still runs.
/// </summary>
public sealed partial class ProcessCluster : IAsyncDisposable
{
    private const int MaxHosts = 4;
    private readonly ITestOutputHelper output;
    private readonly Dictionary<string, string> environment;
    private readonly HashSet<int> startedPids = [];

    private ProcessCluster(ITestOutputHelper output, IReadOnlyDictionary<string, string> settings)
    {
        this.output = output;
        var id = Guid.NewGuid().ToString("N")[..12];
        RunDirectory = Path.Combine("/tmp", $"widgets-tests-cluster-{id}");
        PostgresDirectory = Path.Combine("/tmp", $"widgets-tests-cluster-pg-{id}");
        var configuration = typeof(ProcessCluster).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        environment = new Dictionary<string, string>
        {
            ["WIDGETS_RUN_DIR"] = RunDirectory,
            ["WIDGETS_PG_DIR"] = PostgresDirectory,
            ["WIDGETS_PG_PORT"] = FreePortRun(1).ToString(CultureInfo.InvariantCulture),
            ["WIDGETS_SILO_PORT_BASE"] = Base(FreePortRun(MaxHosts)),
            ["WIDGETS_SILO_GATEWAY_PORT_BASE"] = Base(FreePortRun(MaxHosts)),
            ["WIDGETS_SILO_HTTP_BASE"] = Base(FreePortRun(MaxHosts)),
            ["WIDGETS_GATEWAY_HTTP_BASE"] = Base(FreePortRun(MaxHosts)),

            // The hosts are built in the configuration these tests were built in, so the build is (nearly) a no-op.
            ["WIDGETS_CONFIGURATION"] = configuration,

            // The script's builds must leave no MSBuild nodes or compiler servers running after the test.
            ["MSBUILDDISABLENODEREUSE"] = "1",
            ["UseSharedCompilation"] = "false",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }
    }

    /// <summary>The script's run folder: <c>silo-N.pid</c>, <c>silo-N.log</c>, <c>gateway-N.log</c>.</summary>
    public string RunDirectory { get; }

    public string PostgresDirectory { get; }

    public IReadOnlyList<Uri> Gateways { get; private set; } = [];

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string Script => Path.Combine(RepositoryRoot, "deploy", "local-cluster.sh");

    /// <summary>A cluster that is not running yet; <paramref name="settings"/> become the hosts' environment.</summary>
    public static ProcessCluster Create(ITestOutputHelper output, IReadOnlyDictionary<string, string> settings) => new(output, settings);

    /// <summary>Where dispose copies the hosts' logs (and the build log) before purging, as evidence for a failure.</summary>
    public string? KeepLogsIn { get; set; }

    /// <summary><c>local-cluster.sh up --silos N --gateways N</c>; returns once every host answers <c>/readyz</c>.</summary>
    public async Task UpAsync(int silos, int gateways)
    {
        if (silos > MaxHosts || gateways > MaxHosts)
        {
            throw new ArgumentOutOfRangeException(nameof(silos), $"At most {MaxHosts} silos and gateways.");
        }

        var clock = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = await RunScriptAsync(TimeSpan.FromMinutes(4), "up", "--silos", silos.ToString(CultureInfo.InvariantCulture),
            "--gateways", gateways.ToString(CultureInfo.InvariantCulture));
        RememberPids();
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"local-cluster.sh up failed ({exitCode}):\n{stderr}\n{stdout}");
        }

        Gateways = GatewayLine().Matches(stdout).Select(m => new Uri(m.Groups[1].Value)).ToList();
        output.WriteLine($"cluster up in {clock.Elapsed.TotalSeconds:0.0} s: {silos} silo(s), gateways {string.Join(", ", Gateways)}");
        if (Gateways.Count != gateways)
        {
            throw new InvalidOperationException($"local-cluster.sh up printed {Gateways.Count} gateway(s), expected {gateways}:\n{stdout}");
        }
    }

    /// <summary><c>local-cluster.sh down</c>: stops the hosts and PostgreSQL, keeping the database unless <paramref name="purge"/>.</summary>
    public async Task DownAsync(bool purge = false)
    {
        var clock = Stopwatch.StartNew();
        var (exitCode, stdout, stderr) = purge
            ? await RunScriptAsync(TimeSpan.FromMinutes(2), "down", "--purge")
            : await RunScriptAsync(TimeSpan.FromMinutes(2), "down");
        output.WriteLine($"cluster down{(purge ? " --purge" : "")} in {clock.Elapsed.TotalSeconds:0.0} s");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"local-cluster.sh down failed ({exitCode}):\n{stderr}\n{stdout}");
        }
    }

    /// <summary>The pid the script recorded for a host (<c>silo-1</c>, <c>gateway-1</c>): the dotnet process itself.</summary>
    public int Pid(string host) => int.Parse(File.ReadAllText(Path.Combine(RunDirectory, $"{host}.pid")).Trim(), CultureInfo.InvariantCulture);

    public string Log(string host)
    {
        var path = Path.Combine(RunDirectory, $"{host}.log");
        if (!File.Exists(path))
        {
            return "";
        }

        // The host still writes to it: open with sharing.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary><c>kill -9</c> of a host process; returns once it is gone.</summary>
    public async Task KillAsync(string host)
    {
        using var process = Process.GetProcessById(Pid(host));
        process.Kill(entireProcessTree: false); // SIGKILL on Linux.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        RememberPids();
        try
        {
            await DownAsync();
            if (KeepLogsIn is not null && Directory.Exists(RunDirectory))
            {
                Directory.CreateDirectory(KeepLogsIn);
                foreach (var log in Directory.GetFiles(RunDirectory, "*.log"))
                {
                    File.Copy(log, Path.Combine(KeepLogsIn, Path.GetFileName(log)), overwrite: true);
                }

                output.WriteLine($"logs kept in {KeepLogsIn}");
            }

            await DownAsync(purge: true);
        }
        catch (Exception ex)
        {
            output.WriteLine($"cleanup: {ex.Message}");
        }

        // Nothing this cluster started may outlive the test: whatever down missed is killed by its own pid.
        foreach (var pid in startedPids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (!process.HasExited && !IsZombie(pid))
                {
                    output.WriteLine($"cleanup: pid {pid} survived down; killing it");
                    process.Kill();
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }

        foreach (var directory in new[] { RunDirectory, PostgresDirectory })
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>A stopped PostgreSQL lingers as a zombie until init reaps it: it runs nothing and holds no port.</summary>
    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private void RememberPids()
    {
        if (!Directory.Exists(RunDirectory))
        {
            return;
        }

        foreach (var file in Directory.GetFiles(RunDirectory, "*.pid"))
        {
            if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                startedPids.Add(pid);
            }
        }
    }

    private async Task<(int ExitCode, string Stdout, string Stderr)> RunScriptAsync(TimeSpan limit, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot };
        start.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test host runs under `dotnet test`, whose MSBuild variables would steer the script's `dotnet build`.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start bash.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"local-cluster.sh {string.Join(' ', arguments)} did not finish within {limit.TotalSeconds:0} s.");
        }

        // The hosts started in the background keep no handle on these pipes (their output goes to their logs).
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Widgets.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Widgets.Orleans.sln above {AppContext.BaseDirectory}.");
    }

    private static string Base(int firstFreePort) => (firstFreePort - 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>The first of <paramref name="count"/> consecutive free loopback ports (host N of the script uses base + N).</summary>
    private static int FreePortRun(int count)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 60000 - count);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports found.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^gateway: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex GatewayLine();
}
