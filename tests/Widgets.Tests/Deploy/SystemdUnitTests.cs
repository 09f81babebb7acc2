using System.Globalization;
using System.Text.RegularExpressions;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Deploy;

/// <summary>
/// The systemd units are hardened: <c>systemd-analyze security --offline=true</c> rates each at most 3.0 ("OK").
/// systemd-analyze comes with Debian's <c>systemd</c> package, which <c>tests/prepare.sh</c> installs when missing.
/// </summary>
public sealed partial class SystemdUnitTests(ITestOutputHelper output)
{
    private const double MostExposure = 3.0;

    [Theory]
    [InlineData("widgets-gateway.service")]
    [InlineData("widgets-silo@.service")]
    [InlineData("widgets-migrate.service")]
    public async Task Unit_rates_at_most_3_0_in_systemd_analyze_security(string unit)
    {
        var path = Path.Combine(ProcessCluster.RepositoryRoot, "deploy", "systemd", unit);
        var (stdout, stderr) = await NetworkLab.RunAsync("systemd-analyze", "security", "--offline=true", "--no-pager", path);
        var rating = OverallExposure().Match(stdout);
        Assert.True(rating.Success, $"systemd-analyze printed no overall rating:\n{stdout}\n{stderr}");
        var exposure = double.Parse(rating.Groups[1].Value, CultureInfo.InvariantCulture);
        output.WriteLine($"{unit}: {exposure:0.0} {rating.Groups[2].Value}");
        Assert.True(exposure <= MostExposure, $"{unit} rates {exposure:0.0} (at most {MostExposure:0.0}):\n{stdout}");
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d) (\w+)")]
    private static partial Regex OverallExposure();
}
