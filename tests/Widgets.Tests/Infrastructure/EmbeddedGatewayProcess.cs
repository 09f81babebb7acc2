using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// The embedded gateway (silo inside, SQLite) as a process of its own: <c>dotnet gateway/bin/…/Widgets.Gateway.dll</c>
/// on a data directory this instance owns, in Development (the demo seed on fixed secrets). A test can <c>kill -9</c>
/// it and start it again on the same data, as an unlucky store would. Each start takes fresh free ports. Dispose kills
/// what still runs (by its own pid) and deletes the data directory.
/// </summary>
public sealed class EmbeddedGatewayProcess : IAsyncDisposable
{
    public const string PosClientId = "demo-pos";
    public const string PosClientSecret = "crash-tests-demo-pos-secret-0123456789";
    public const string AdminClientId = "demo-admin";
    public const string AdminClientSecret = "crash-tests-demo-admin-secret-0123456789";

    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly Action<string> log;
    private readonly ConcurrentQueue<string> output = new();
    private Process? process;

    private EmbeddedGatewayProcess(IReadOnlyDictionary<string, string> settings, Action<string> log)
    {
        this.settings = settings;
        this.log = log;
    }

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "widgets-tests-embedded", Guid.NewGuid().ToString("N"));

    /// <summary>Where the running process listens (changes with every start).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>What the processes started so far wrote to stdout and stderr.</summary>
    public string Output => string.Join('\n', output);

    /// <summary>
    /// An instance not started yet; <paramref name="settings"/> become configuration (<c>--Key=value</c>), and a setting
    /// given as "" is left unset (e.g. the demo secrets, which are otherwise fixed).
    /// </summary>
    public static EmbeddedGatewayProcess Create(IReadOnlyDictionary<string, string> settings, Action<string> log) => new(settings, log);

    /// <summary>
    /// Starts the gateway and returns once <c>/readyz</c> answers 200: the moment it is ready. With
    /// <paramref name="sameAddress"/>, a restart listens where the last start did (a browser page open on it reconnects).
    /// </summary>
    public async Task<DateTimeOffset> StartAsync(bool sameAddress = false)
    {
        var dll = GatewayDll();
        var (http, silo, gateway) = GatewayPorts.Three();
        if (sameAddress && BaseAddress is not null)
        {
            http = BaseAddress.Port;
        }

        BaseAddress = new Uri($"http://127.0.0.1:{http}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        var arguments = new Dictionary<string, string>
        {
            ["urls"] = BaseAddress.ToString().TrimEnd('/'),
            ["Widgets:DataDirectory"] = DataDirectory,
            ["Orleans:SiloPort"] = silo.ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = gateway.ToString(CultureInfo.InvariantCulture),
            ["Demo:Seed"] = "true",
            ["Demo:PosClientSecret"] = PosClientSecret,
            ["Demo:AdminClientSecret"] = AdminClientSecret,
            ["Messaging:QuietHoursStart"] = "00:00",
            ["Messaging:QuietHoursEnd"] = "00:00",
            ["Messaging:DailyLimitPerRecipient"] = "1000",
            ["RateLimits:PosPerClientPerSecond"] = "100000",
            ["RateLimits:PosPerTerminalPerSecond"] = "100000",
            ["RateLimits:TokenPerIpPerMinute"] = "100000",
        };
        foreach (var (key, value) in settings)
        {
            if (value.Length == 0)
            {
                arguments.Remove(key);
            }
            else
            {
                arguments[key] = value;
            }
        }

        foreach (var (key, value) in arguments)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_GCDynamicAdaptationMode"] = "1"; // several .NET processes share this machine
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with {process.ExitCode} before it was ready:\n{Tail()}");
            }

            try
            {
                using var ready = await probe.GetAsync("/readyz");
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Busy starting.
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(90))
            {
                throw new TimeoutException($"The gateway was not ready within 90 s:\n{Tail()}");
            }

            await Task.Delay(100);
        }

        log($"gateway pid {process.Id} ready at {BaseAddress} in {clock.Elapsed.TotalSeconds:0.0} s");
        return DateTimeOffset.UtcNow;
    }

    /// <summary><c>kill -9</c>: no shutdown, no flush, no deactivation; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (process is not { HasExited: false } running)
        {
            throw new InvalidOperationException("The gateway is not running.");
        }

        running.Kill(entireProcessTree: false); // SIGKILL on Linux
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await running.WaitForExitAsync(timeout.Token);
        log($"gateway pid {running.Id} killed (kill -9)");
        running.Dispose();
        process = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            await KillAsync();
        }

        process?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Under the temp folder; a leftover must not fail the test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            output.Enqueue(line);
        }
    }

    private string Tail() => string.Join('\n', output.TakeLast(40));

    /// <summary>The gateway built next to these tests (the test project references it), in the same configuration.</summary>
    private static string GatewayDll()
    {
        var configuration = typeof(EmbeddedGatewayProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var dll = Path.Combine(ProcessCluster.RepositoryRoot, "gateway", "bin", configuration, "net10.0", "Widgets.Gateway.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing; build the tests (dotnet build tests/Widgets.Tests -c {configuration}).");
    }
}
