using System.Diagnostics;
using System.Text;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// One host of the product (<c>Widgets.Gateway.dll</c>, <c>Widgets.Silo.dll</c>) as its own process, from the build
/// output, optionally inside a network namespace (<c>ip netns exec NS dotnet …</c>, which execs, so <see cref="Pid"/>
/// is dotnet's own). Its output goes to a log file; dispose kills it (SIGKILL) if it still runs.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;

    private HostProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        this.process = process;
        this.log = log;
        LogPath = logPath;
        Pid = process.Id;
    }

    public string Name { get; }

    public int Pid { get; }

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    public static string GatewayDll => BuildOutput("gateway", "Widgets.Gateway.dll");

    public static string SiloDll => BuildOutput("silo", "Widgets.Silo.dll");

    /// <summary>Starts <paramref name="dll"/> with <paramref name="environment"/> added to this process's own (less MSBuild's).</summary>
    public static HostProcess Start(string name, string dll, IReadOnlyDictionary<string, string> environment, string logDirectory,
        string? networkNamespace = null, params string[] arguments)
    {
        Directory.CreateDirectory(logDirectory);
        var start = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (networkNamespace is not null)
        {
            foreach (var argument in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                start.ArgumentList.Add(argument);
            }
        }

        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var logPath = Path.Combine(logDirectory, $"{name}.log");
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), Encoding.UTF8) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HostProcess(name, process, log, logPath);
    }

    public string Log()
    {
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => process.WaitForExitAsync(cancellationToken);

    /// <summary><c>kill -9</c>; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
        lock (log)
        {
            log.Dispose();
        }
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream.CanWrite)
            {
                log.WriteLine(line);
            }
        }
    }

    /// <summary>A host's build output, in the configuration these tests were built in (the test project builds both hosts).</summary>
    private static string BuildOutput(string project, string dll)
    {
        var configuration = typeof(HostProcess).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .OfType<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";
        var path = Path.Combine(ProcessCluster.RepositoryRoot, project, "bin", configuration, "net10.0", dll);
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is missing: build the solution in {configuration} first.");
    }
}
