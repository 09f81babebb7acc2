using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// A small Kestrel app on a free loopback port, for the remote services tests stand in for at their HTTP boundary
/// (Twilio's API, an OTLP receiver).
/// </summary>
public static class LoopbackStub
{
    /// <summary>An app that listens on a free loopback port once started; map its routes, then <see cref="Start"/>.</summary>
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        return builder.Build();
    }

    /// <summary>Starts <paramref name="app"/> and returns its base address, <c>http://127.0.0.1:PORT</c>.</summary>
    public static string Start(WebApplication app)
    {
        app.Start();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
    }
}
