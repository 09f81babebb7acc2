using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Widgets.Tests.Contract;

/// <summary>
/// The OpenAPI tools nobody here wrote, as integrators run them: Redocly's linter and Stoplight Prism's validating
/// proxy, from npm (pinned in tests/conformance/package.json, installed by tests/prepare.sh).
/// </summary>
public static class ConformanceTools
{
    public static string Root { get; } = FindRoot();

    private static string Conformance => Path.Combine(Root, "tests", "conformance");

    /// <summary>Checks that tests/prepare.sh installed the pinned tool; <c>npx --no</c> would otherwise only say it cannot find it.</summary>
    private static void EnsureInstalled(string tool)
    {
        var path = Path.Combine(Conformance, "node_modules", ".bin", tool);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: run tests/prepare.sh (npm ci in tests/conformance).");
        }
    }

    /// <summary>Runs a tool to its end; returns its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string tool, TimeSpan timeout, params string[] arguments)
    {
        using var process = Start(tool, arguments);
        var output = new StringBuilder();
        var reading = Task.WhenAll(Copy(process.StandardOutput, output), Copy(process.StandardError, output));
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} did not finish within {timeout}: {output}");
        }

        await reading;
        return (process.ExitCode, output.ToString());
    }

    /// <summary>
    /// Starts a tool as integrators run it, through <c>npx</c>: <c>--no</c> runs only the copy pinned in
    /// tests/conformance (never a download of whatever version is newest), <c>--</c> keeps the tool's own options
    /// from being read as npx's.
    /// </summary>
    internal static Process Start(string tool, IEnumerable<string> arguments)
    {
        EnsureInstalled(tool);
        var info = new ProcessStartInfo("npx")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Conformance,
        };
        foreach (var argument in new[] { "--no", "--", tool }.Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        // A machine whose node is older than the tools need gets a newer one from tests/prepare.sh, first on PATH.
        var node = Path.Combine(Conformance, ".node", "node_modules", ".bin");
        if (Directory.Exists(node))
        {
            info.Environment["PATH"] = node + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        }

        // No colours, no update checks or telemetry calls to the internet.
        info.Environment["NO_COLOR"] = "1";
        info.Environment["REDOCLY_TELEMETRY"] = "off";
        info.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        return Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start.");
    }

    internal static async Task Copy(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (into)
            {
                into.AppendLine(line);
            }
        }
    }

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

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Widgets.Orleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Widgets.Orleans.sln not found above the test's directory.");
    }
}

/// <summary>
/// <c>prism proxy DOCUMENT UPSTREAM --errors</c> on a free loopback port: every request and response passing through
/// is validated against the document; a violation comes back as Prism's own problem (type
/// <c>https://stoplight.io/prism/errors#…</c>) with an <c>sl-violations</c> header instead of the gateway's answer.
/// </summary>
public sealed class PrismProxy : IAsyncDisposable
{
    public const string ErrorTypePrefix = "https://stoplight.io/prism/errors#";

    private readonly Process process;
    private readonly StringBuilder output;

    private PrismProxy(Process process, StringBuilder output, Uri baseAddress)
    {
        this.process = process;
        this.output = output;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static async Task<PrismProxy> StartAsync(string document, Uri upstream)
    {
        var port = ConformanceTools.FreePort();
        var process = ConformanceTools.Start("prism",
            ["proxy", document, upstream.ToString().TrimEnd('/'), "--errors", "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var output = new StringBuilder();
        _ = ConformanceTools.Copy(process.StandardOutput, output);
        _ = ConformanceTools.Copy(process.StandardError, output);
        var proxy = new PrismProxy(process, output, new Uri($"http://127.0.0.1:{port}/"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (!proxy.Output.Contains("Prism is listening", StringComparison.Ordinal))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await proxy.DisposeAsync();
                throw new InvalidOperationException($"Prism did not start listening: {proxy.Output}");
            }

            await Task.Delay(100);
        }

        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
