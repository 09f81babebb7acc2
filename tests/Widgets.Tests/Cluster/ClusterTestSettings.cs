using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Widgets.Tests.Cluster;

/// <summary>The environment the cluster tests give the silo and gateway processes.</summary>
internal static class ClusterTestSettings
{
    public const string PosClientId = "demo-pos";
    public const string PosClientSecret = "cluster-tests-demo-pos-secret-0123456789";
    public const string AdminClientId = "demo-admin";
    public const string AdminClientSecret = "cluster-tests-demo-admin-secret-0123456789";

    /// <summary>
    /// Development (the demo seed: location demo/store-1, lanes 1–2, six widgets) on fixed demo secrets, email to
    /// the test's SMTP sink, short widget timeouts allowed, counters written every second.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Hosts(int smtpPort) => new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["Demo__PosClientSecret"] = PosClientSecret,
        ["Demo__AdminClientSecret"] = AdminClientSecret,
        ["Email__Smtp__Host"] = "127.0.0.1",
        ["Email__Smtp__Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
        ["Widgets__Sessions__MinTimeoutSeconds"] = "1",
        ["Widgets__Sessions__StatsFlushInterval"] = "00:00:01",
    };

    public static int FreePort()
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
}
