using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// Machines on a network of the test's own: each host is a Linux network namespace (<c>ip netns</c>) with one veth
/// link to a bridge, and the bridge lives in a namespace of its own, so the machine's real network is never touched.
/// Addresses come from one /24 of 198.18.0.0/15 (RFC 2544's range for test networks), chosen free on this machine.
/// The test process itself joins the network through one more veth (<see cref="HostAddress"/>), to drive traffic
/// and to run the SMTP sink; its namespace gains that link and a route to the /24, nothing else.
/// <see cref="CutAsync"/> takes a machine's link down (a partition: packets vanish, no reset); <see cref="HealAsync"/>
/// brings it back. Dispose removes every namespace and link (the processes inside must be ended first), and
/// namespaces that a crashed earlier run left behind are removed at the next start (their owner's pid is in the name).
/// Needs root and iproute2 (<c>tests/prepare.sh</c> installs it).
/// </summary>
public sealed partial class NetworkLab : IAsyncDisposable
{
    private const string Prefix = "wdglab";
    private readonly string id;
    private readonly string switchNamespace;
    private readonly List<string> namespaces = [];
    private readonly Dictionary<string, string> bridgePorts = [];
    private readonly int subnet;
    private int nextHost = 2;

    private NetworkLab(string id, int subnet)
    {
        this.id = id;
        this.subnet = subnet;
        switchNamespace = $"{Prefix}-{Environment.ProcessId}-{id}-switch";
    }

    public IPAddress HostAddress => Address(1);

    /// <summary>The /24 this lab uses, e.g. <c>198.18.77.0/24</c>.</summary>
    public string Network => $"198.18.{subnet}.0/24";

    private string HostLink => $"w{id}h";

    public static async Task<NetworkLab> CreateAsync()
    {
        await RemoveLeftoversAsync();
        var used = (await RunAsync("ip", "-o", "-4", "addr", "show")).Output;
        var subnet = Enumerable.Range(0, 50).Select(_ => Random.Shared.Next(1, 255)).First(n => !used.Contains($"198.18.{n}.", StringComparison.Ordinal));
        var lab = new NetworkLab(Guid.NewGuid().ToString("N")[..5], subnet);
        try
        {
            await RunAsync("ip", "netns", "add", lab.switchNamespace);
            lab.namespaces.Add(lab.switchNamespace);
            await RunAsync("ip", "-n", lab.switchNamespace, "link", "add", "br0", "type", "bridge");
            await RunAsync("ip", "-n", lab.switchNamespace, "link", "set", "br0", "up");
            await RunAsync("ip", "link", "add", lab.HostLink, "type", "veth", "peer", "name", $"{lab.HostLink}b");
            await lab.PlugAsync($"{lab.HostLink}b");
            await RunAsync("ip", "addr", "add", $"{lab.HostAddress}/24", "dev", lab.HostLink);
            await RunAsync("ip", "link", "set", lab.HostLink, "up");
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>A new machine: a namespace with loopback and <c>eth0</c> on the bridge; returns its namespace and address.</summary>
    public async Task<(string Namespace, IPAddress Address)> AddMachineAsync(string name)
    {
        var ns = $"{Prefix}-{Environment.ProcessId}-{id}-{name}";
        var link = $"w{id}{nextHost}";
        var address = Address(nextHost++);
        await RunAsync("ip", "netns", "add", ns);
        namespaces.Add(ns);
        await RunAsync("ip", "link", "add", link, "type", "veth", "peer", "name", $"{link}b");
        await RunAsync("ip", "link", "set", link, "netns", ns);
        await PlugAsync($"{link}b");
        await RunAsync("ip", "-n", ns, "link", "set", link, "name", "eth0");
        await RunAsync("ip", "-n", ns, "addr", "add", $"{address}/24", "dev", "eth0");
        await RunAsync("ip", "-n", ns, "link", "set", "eth0", "up");
        await RunAsync("ip", "-n", ns, "link", "set", "lo", "up");
        bridgePorts[ns] = $"{link}b";
        return (ns, address);
    }

    /// <summary>Takes the machine's link down at the bridge: nothing reaches it and nothing leaves it, without a reset.</summary>
    public Task CutAsync(string machineNamespace) => RunAsync("ip", "-n", switchNamespace, "link", "set", bridgePorts[machineNamespace], "down");

    public Task HealAsync(string machineNamespace) => RunAsync("ip", "-n", switchNamespace, "link", "set", bridgePorts[machineNamespace], "up");

    public async ValueTask DisposeAsync()
    {
        await RunQuietlyAsync("ip", "link", "del", HostLink);
        foreach (var ns in Enumerable.Reverse(namespaces))
        {
            await RunQuietlyAsync("ip", "netns", "del", ns);
        }
    }

    private IPAddress Address(int host) => IPAddress.Parse($"198.18.{subnet}.{host}");

    private async Task PlugAsync(string bridgeSide)
    {
        await RunAsync("ip", "link", "set", bridgeSide, "netns", switchNamespace);
        await RunAsync("ip", "-n", switchNamespace, "link", "set", bridgeSide, "master", "br0");
        await RunAsync("ip", "-n", switchNamespace, "link", "set", bridgeSide, "up");
    }

    /// <summary>Namespaces of labs whose test process is gone (a run killed before it could clean up).</summary>
    private static async Task RemoveLeftoversAsync()
    {
        foreach (Match match in LabNamespace().Matches((await RunAsync("ip", "netns", "list")).Output))
        {
            var owner = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            if (!Directory.Exists($"/proc/{owner}"))
            {
                await RunQuietlyAsync("ip", "netns", "del", match.Value);
            }
        }
    }

    private static async Task RunQuietlyAsync(string program, params string[] arguments)
    {
        try
        {
            await RunAsync(program, arguments);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Runs a tool to completion (30 s at most); a non-zero exit throws with its error output.</summary>
    public static async Task<(string Output, string Error)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}");
        }

        return (await stdout, await stderr);
    }

    [GeneratedRegex($@"^{Prefix}-(\d+)-[0-9a-f]{{5}}-[a-z0-9-]+", RegexOptions.Multiline)]
    private static partial Regex LabNamespace();
}
