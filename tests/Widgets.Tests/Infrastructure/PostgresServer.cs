using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Widgets.Hosting.Storage;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL server of the test's own: <c>initdb</c> into a fresh folder, <c>pg_ctl start</c> on a free
/// loopback port with a private socket folder, the Widgets schema applied with <see cref="StorageMigrator"/>; stopped
/// and deleted on dispose. As root (a CI machine) the server runs as the <c>postgres</c> user, which initdb requires.
/// Never assumes a server is already running: the binaries come from Debian's <c>postgresql</c> package, which
/// <c>tests/prepare.sh</c> installs.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string ServiceUser = "postgres";
    private readonly string binDirectory;
    private readonly string root;
    private readonly string? networkNamespace;
    private bool running;

    private PostgresServer(string binDirectory, string root, int port, IPAddress address, string? networkNamespace)
    {
        this.binDirectory = binDirectory;
        this.root = root;
        this.networkNamespace = networkNamespace;
        Port = port;
        Address = address;
    }

    public int Port { get; }

    /// <summary>Where it listens: 127.0.0.1, or its address in a test network (<see cref="StartAsync(string, IPAddress)"/>).</summary>
    public IPAddress Address { get; }

    /// <summary>The <c>widgets</c> database, as the silos' <c>ConnectionStrings:Postgres</c>.</summary>
    public string ConnectionString =>
        $"Host={Address};Port={Port};Database=widgets;Username=postgres;Timeout=5;Command Timeout=15";

    /// <summary>The same server's <paramref name="database"/>, which need not exist yet.</summary>
    public string ConnectionStringFor(string database, string user = "postgres") =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { Database = database, Username = user }.ConnectionString;

    /// <summary>
    /// Freezes the server (SIGSTOP to the postmaster and every backend): connections open, nothing answers, as in a
    /// failover or a stalled disk. <see cref="Resume"/> lets it go on.
    /// </summary>
    public Task PauseAsync() => SignalAllAsync("-STOP");

    public Task ResumeAsync() => SignalAllAsync("-CONT");

    private string DataDirectory => Path.Combine(root, "data");

    private string LogFile => Path.Combine(root, "postgres.log");

    public static Task<PostgresServer> StartAsync() => StartInAsync(null, IPAddress.Loopback);

    /// <summary>
    /// A server inside <paramref name="networkNamespace"/> (a test network's host), listening on <paramref name="address"/>
    /// port 5432 and accepting connections from the test networks' range, 198.18.0.0/15.
    /// </summary>
    public static Task<PostgresServer> StartAsync(string networkNamespace, IPAddress address) => StartInAsync(networkNamespace, address);

    private static async Task<PostgresServer> StartInAsync(string? networkNamespace, IPAddress address)
    {
        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; run tests/prepare.sh (apt-get install postgresql).");

        // Under /tmp, not a root-only temp folder: the postgres user must be able to reach it.
        var root = Path.Combine("/tmp", $"widgets-tests-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", root]);
        }

        PostgresServer? server = null;
        try
        {
            await RunToolAsync(Path.Combine(bin, "initdb"),
                "-D", Path.Combine(root, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8");

            if (networkNamespace is not null)
            {
                await File.AppendAllTextAsync(Path.Combine(root, "data", "pg_hba.conf"), "host all all 198.18.0.0/15 trust\n");
            }

            // A free port can be taken between choosing and binding it; pg_ctl then fails and another port is tried.
            for (var attempt = 1; ; attempt++)
            {
                server = new PostgresServer(bin, root, networkNamespace is null ? FreePort() : 5432, address, networkNamespace);
                try
                {
                    await server.StartServerAsync();
                    break;
                }
                catch (InvalidOperationException) when (attempt < 3)
                {
                }
            }

            StorageMigrator.MigratePostgres(server.ConnectionString, NullLogger.Instance);
            return server;
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
            else
            {
                Directory.Delete(root, recursive: true);
            }

            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (running)
            {
                running = false;
                await RunToolAsync(Path.Combine(binDirectory, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30", "stop");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private async Task SignalAllAsync(string signal)
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
        var pids = new List<int> { postmaster };
        foreach (var directory in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) == postmaster)
            {
                pids.Add(pid);
            }
        }

        await RunAsync("kill", [signal, .. pids.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task StartServerAsync()
    {
        var options = $"-p {Port} -k {Path.Combine(root, "sock")} -c listen_addresses={Address} -c max_connections=200 -c fsync=off";
        string[] start = [Path.Combine(binDirectory, "pg_ctl"), "-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "30", "start"];
        if (networkNamespace is null)
        {
            await RunToolAsync(start[0], start[1..]);
        }
        else
        {
            // The postmaster inherits the namespace of the pg_ctl that forks it.
            await RunAsync("ip", ["netns", "exec", networkNamespace, "runuser", "-u", ServiceUser, "--", .. start]);
        }

        running = true;
    }

    private static string? FindBinDirectory() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : new Version(0, 0))
                .LastOrDefault()
            : null;

    /// <summary>initdb refuses to run as root: as root every server command goes through <c>runuser -u postgres --</c>.</summary>
    private static Task RunToolAsync(string tool, params string[] arguments) =>
        Environment.IsPrivilegedProcess
            ? RunAsync("runuser", ["-u", ServiceUser, "--", tool, .. arguments])
            : RunAsync(tool, arguments);

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout} {await stderr}");
        }
    }
}
