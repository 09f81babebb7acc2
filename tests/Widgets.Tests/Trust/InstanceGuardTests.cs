using System.Diagnostics;
using System.Text;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// A second embedded gateway on the data directory or the silo ports of a running one refuses to start, naming the
/// setting to change, instead of sharing the first one's database or cluster.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class InstanceGuardTests(GatewayFixture gateway)
{
    [Fact]
    public async Task Second_instance_on_the_same_data_directory_exits_1_naming_the_data_directory_setting()
    {
        var (exitCode, output) = await RunGateway($"--Widgets:DataDirectory={gateway.DataDirectory}");

        Assert.Equal(1, exitCode);
        Assert.Contains($"Another Widgets instance is using the data directory {gateway.DataDirectory}", output);
        Assert.Contains("--Widgets:DataDirectory=", output);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public async Task Second_instance_on_the_same_silo_port_exits_1_naming_the_port_setting()
    {
        var directory = Path.Combine(Path.GetTempPath(), "widgets-guard-tests", Guid.NewGuid().ToString("N"));
        try
        {
            var (exitCode, output) = await RunGateway($"--Widgets:DataDirectory={directory}", $"--Orleans:SiloPort={gateway.SiloPort}");

            Assert.Equal(1, exitCode);
            Assert.Contains($"Port {gateway.SiloPort} (Orleans:SiloPort) is in use", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Demo_secrets_file_is_readable_and_writable_by_its_owner_only() =>
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(gateway.DataDirectory, "demo-secrets.json")));

    /// <summary>Runs the gateway as its own process until it exits (a minute at most); returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunGateway(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        info.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var reading = Task.WhenAll(Copy(process.StandardOutput), Copy(process.StandardError));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"The second gateway did not exit: {output}");
        }

        await reading;
        return (process.ExitCode, output.ToString());

        async Task Copy(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
    }
}
