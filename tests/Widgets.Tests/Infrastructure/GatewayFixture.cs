using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Widgets.Tests.Infrastructure;

/// <summary>
/// The real gateway (embedded mode: an Orleans silo on SQLite inside it) listening on a real Kestrel socket on
/// 127.0.0.1 with a random port, on a fresh data directory, with free Orleans ports, the demo seed on fixed
/// secrets, and an in-process SMTP server as its mail relay. Shared by the tests of
/// <see cref="GatewayCollection"/>; each test makes its own location (<see cref="CreateLocationAsync"/>), so
/// tests never depend on order.
/// </summary>
public class GatewayFixture : IAsyncLifetime
{
    public const string PosClientId = "demo-pos";
    public const string PosClientSecret = "http-tests-demo-pos-secret-0123456789";
    public const string AdminClientId = "demo-admin";
    public const string AdminClientSecret = "http-tests-demo-admin-secret-0123456789";

    /// <summary>How long a test waits for something asynchronous (batched counters, a timeout, a revocation).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly ConcurrentBag<HttpClient> clients = [];
    private readonly ConcurrentDictionary<(string ClientId, string Scope), string> tokens = new();
    private GatewayFactory? factory;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "widgets-http-tests", Guid.NewGuid().ToString("N"));

    public string SmsOutboxFile => Path.Combine(DataDirectory, "outbox", "sms.jsonl");

    public SmtpSink Smtp { get; } = new();

    /// <summary><c>http://127.0.0.1:PORT/</c>, where Kestrel listens.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The Orleans silo port of the gateway's own silo.</summary>
    public int SiloPort { get; private set; }

    /// <summary>The grains of the gateway's own silo (embedded mode), for what a test cannot see over HTTP.</summary>
    public IGrainFactory Grains => factory!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Every endpoint the gateway maps, as its router sees them: a test can tell which routes it has not reached.</summary>
    public IReadOnlyList<Microsoft.AspNetCore.Routing.RouteEndpoint> Endpoints =>
        [.. factory!.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()];

    /// <summary>A derived fixture changes settings here (e.g. low rate limits) before the gateway starts.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>A derived fixture adds services here (e.g. a logger provider that captures what is logged) before the gateway starts.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        var (smtpPort, siloPort, gatewayPort) = GatewayPorts.Three();
        SiloPort = siloPort;
        await Smtp.StartAsync(smtpPort);

        var settings = new Dictionary<string, string?>
        {
            ["Widgets:DataDirectory"] = DataDirectory,
            ["Orleans:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Demo:Seed"] = "true",
            ["Demo:PosClientSecret"] = PosClientSecret,
            ["Demo:AdminClientSecret"] = AdminClientSecret,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:From"] = "Widgets <widgets@shop.test>",
            ["Widgets:Sessions:MinTimeoutSeconds"] = "1",
            ["Widgets:Sessions:StatsFlushInterval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Warning",

            // Tests run at any hour and many share one IP and client: quiet hours off, limits high, except where
            // a fixture tests them (see Configure).
            ["Messaging:QuietHoursStart"] = "00:00",
            ["Messaging:QuietHoursEnd"] = "00:00",
            ["Messaging:DailyLimitPerRecipient"] = "1000",
            ["RateLimits:PosPerClientPerSecond"] = "100000",
            ["RateLimits:PosPerTerminalPerSecond"] = "100000",
            ["RateLimits:PublicPerIpPerSecond"] = "100000",
            ["RateLimits:TokenPerIpPerMinute"] = "100000",
        };
        Configure(settings);
        factory = new GatewayFactory(settings, ConfigureServices);
        factory.UseKestrel(0);
        await Task.Run(factory.StartServer);
        BaseAddress = factory.ClientOptions.BaseAddress;

        using var probe = Anonymous();
        await Eventually.Holds(async () => (await probe.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the gateway to be ready");
        await Eventually.Holds(async () => await TryGetToken(PosClientId, PosClientSecret, "pos_integration") is not null
                && await TryGetToken(AdminClientId, AdminClientSecret, "widgets_admin") is not null,
            TimeSpan.FromSeconds(30), "the demo clients to be seeded");
    }

    public async Task DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        if (factory is not null)
        {
            await factory.DisposeAsync();
        }

        await Smtp.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open must not fail the run; the folder is under the temp directory.
        }
    }

    /// <summary>A plain <see cref="HttpClient"/> on a real socket to the gateway, without credentials; redirects are not followed.</summary>
    public HttpClient Anonymous()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        clients.Add(client);
        return client;
    }

    /// <summary>
    /// An anonymous client whose connections come from <paramref name="address"/> (any 127.x.y.z address is loopback on
    /// Linux): a test that floods a per-IP limit, or plays a proxy, does it from an address of its own.
    /// </summary>
    public HttpClient FromAddress(IPAddress address)
    {
        var client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(address, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        { BaseAddress = BaseAddress };
        clients.Add(client);
        return client;
    }

    /// <summary>A client that sends <c>Authorization: Bearer</c> with a token of the given client.</summary>
    public async Task<HttpClient> BearerClient(string clientId, string secret, string scope)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await GetToken(clientId, secret, scope));
        return client;
    }

    /// <summary>The demo POS client (scope pos_integration, location demo/store-1).</summary>
    public Task<HttpClient> PosClient() => BearerClient(PosClientId, PosClientSecret, "pos_integration");

    /// <summary>The demo operator client (scope widgets_admin, every location).</summary>
    public Task<HttpClient> AdminClient() => BearerClient(AdminClientId, AdminClientSecret, "widgets_admin");

    /// <summary>An access token through <c>POST /connect/token</c> with HTTP Basic client authentication; cached per client and scope.</summary>
    public async Task<string> GetToken(string clientId, string secret, string scope)
    {
        if (tokens.TryGetValue((clientId, scope), out var cached))
        {
            return cached;
        }

        var token = await TryGetToken(clientId, secret, scope) ?? throw new InvalidOperationException($"No token for {clientId} ({scope}).");
        tokens[(clientId, scope)] = token;
        return token;
    }

    /// <summary>Sends a token request exactly as ClearLine documents it.</summary>
    public async Task<HttpResponseMessage> RequestToken(string clientId, string secret, string scope)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/connect/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = scope }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}")));
        return await client.SendAsync(request);
    }

    /// <summary>
    /// A location of its own for one test: terminals registered through the operator API and a POS client
    /// (created through <c>POST /v2/admin/clients</c>) granted this location only.
    /// </summary>
    public async Task<GatewayLocation> CreateLocationAsync(string posSystemId = "pax", params string[] terminals)
    {
        var locationId = $"store-{Guid.NewGuid():N}";
        var admin = await AdminClient();
        var location = new GatewayLocation(this, posSystemId, locationId, admin);
        foreach (var terminal in terminals.Length > 0 ? terminals : ["lane-1", "lane-2"])
        {
            await location.PutTerminal(terminal);
        }

        var clientId = $"pos-{locationId}";
        var created = await admin.PostJson("/v2/admin/clients", new
        {
            clientId,
            scopes = new[] { "pos_integration" },
            locations = new[] { new { posSystemId, posLocationId = locationId } },
        });
        var secret = (await created.Data(HttpStatusCode.Created))["clientSecret"]!.GetValue<string>();
        location.Pos = await BearerClient(clientId, secret, "pos_integration");
        location.PosClientId = clientId;
        location.PosClientSecret = secret;
        return location;
    }

    private async Task<string?> TryGetToken(string clientId, string secret, string scope)
    {
        using var response = await RequestToken(clientId, secret, scope);
        return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync())?["access_token"]?.GetValue<string>() : null;
    }

    /// <summary>Starts <c>Program</c> of the gateway with test settings; <c>UseSetting</c> values reach its configuration before it builds.</summary>
    private sealed class GatewayFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment(Environments.Development);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "Gateway over HTTP";
}

/// <summary>Free TCP ports on loopback, distinct from each other (held open together while they are chosen).</summary>
public static class GatewayPorts
{
    public static (int, int, int) Three()
    {
        var listeners = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToList();
            return (ports[0], ports[1], ports[2]);
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
