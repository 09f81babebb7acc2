using System.Net;
using System.Net.Sockets;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>
/// A gateway in production mode with low abuse limits, so tests can exceed them with a few dozen requests. Its own traffic (setup, other
/// tests) comes from 127.0.0.1; a test that floods the per-IP limits does it from an address of its own on the
/// loopback network (<see cref="FromAddress"/>), so each IP limit is exercised in isolation.
/// </summary>
public sealed class AbuseLimitFixture : GatewayFixture
{
    public const int PosPerClientPerSecond = 20;
    public const int PosPerTerminalPerSecond = 3;
    public const int PublicPerIpPerSecond = 5;
    public const int TokenPerIpPerMinute = 30;

    protected override void Configure(IDictionary<string, string?> settings)
    {
        // As in production: the dashboard asks for credentials even from loopback.
        settings[Microsoft.AspNetCore.Hosting.WebHostDefaults.EnvironmentKey] = Microsoft.Extensions.Hosting.Environments.Production;
        settings["RateLimits:PosPerClientPerSecond"] = TrustSetup.Invariant(PosPerClientPerSecond);
        settings["RateLimits:PosPerTerminalPerSecond"] = TrustSetup.Invariant(PosPerTerminalPerSecond);
        settings["RateLimits:PublicPerIpPerSecond"] = TrustSetup.Invariant(PublicPerIpPerSecond);
        settings["RateLimits:TokenPerIpPerMinute"] = TrustSetup.Invariant(TokenPerIpPerMinute);
    }
}

[CollectionDefinition(Name)]
public sealed class AbuseLimitCollection : ICollectionFixture<AbuseLimitFixture>
{
    public const string Name = "Trust: abuse limits";
}
