using System.Net;
using System.Net.Sockets;
using Widgets.Hosting;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// One embedded instance per data directory and per silo port. A second instance on the same data directory would
/// write the same SQLite file behind the first one's back, and one on the same ports would answer the first one's
/// cluster traffic: both refuse to start with an error that names the setting to change.
/// </summary>
public static class EmbeddedInstanceGuard
{
    public const string LockFileName = "instance.lock";

    /// <summary>Claims the data directory (for the life of the process) and checks the silo ports are free.</summary>
    public static void Claim(IServiceCollection services, IConfiguration configuration)
    {
        var widgets = WidgetsOptions.From(configuration);
        Directory.CreateDirectory(widgets.DataPath);
        var path = Path.Combine(widgets.DataPath, LockFileName);
        FileStream claim;
        try
        {
            // The operating system releases the lock when the process ends, even by kill -9: nothing stale is left.
            claim = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new StartupRefusedException(
                $"Another Widgets instance is using the data directory {widgets.DataPath}. Stop it, or give this one its own with --Widgets:DataDirectory=<path>.");
        }

        // Created and disposed with the host, so an in-process restart (tests) can claim the directory again.
        services.AddSingleton<IHostedService>(_ => new DataDirectoryClaim(claim));
        var cluster = ClusterSettings.From(configuration);
        foreach (var (port, key) in new[] { (cluster.SiloPort, "Orleans:SiloPort"), (cluster.GatewayPort, "Orleans:GatewayPort") })
        {
            if (!IsFree(port))
            {
                throw new StartupRefusedException(
                    $"Port {port} ({key}) is in use, perhaps by another Widgets instance. Stop it, or set {key} to a free port (e.g. --{key}={port + 1}).");
            }
        }
    }

    private static bool IsFree(int port)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Holds the data directory's lock file open while the host lives.</summary>
    private sealed class DataDirectoryClaim(FileStream file) : IHostedService, IDisposable
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => file.Dispose();
    }
}
