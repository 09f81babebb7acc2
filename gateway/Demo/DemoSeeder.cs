using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Hosting;
using Widgets.Hosting;

namespace Widgets.Gateway.Demo;

/// <summary>
/// Seeds the demo location, terminals, widgets and clients, and prints the credentials, once the silo (or the
/// cluster connection) is up. It runs beside the host's start rather than in it: hosted services start together,
/// and a silo that fails to start must stop the process, not leave it waiting here. One gateway of a deployment
/// seeds (deploy/local-cluster.sh turns it off for the others).
/// </summary>
public sealed class DemoSeeder(IGrainFactory grains, ClusterConnection cluster, IConfiguration configuration, IServer server, IHostApplicationLifetime lifetime, ILogger<DemoSeeder> logger) : BackgroundService
{
    public static readonly LocationKey Location = LocationKey.Create("demo", "store-1");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await cluster.WhenJoined(stoppingToken);
        var location = grains.Grain<ILocationGrain>(Location.ToString());
        foreach (var terminal in new[] { "lane-1", "lane-2" })
        {
            if (await location.GetTerminal(terminal) is null)
            {
                await location.PutTerminal(terminal, terminal.Replace("lane-", "Lane ", StringComparison.Ordinal));
            }
        }

        if ((await location.GetWidgets()).Count == 0)
        {
            foreach (var draft in DemoCatalogue.Widgets)
            {
                await location.CreateWidget(draft);
            }
        }

        var (secrets, generated) = DemoSecrets.Load(configuration);
        var posId = configuration["Demo:PosClientId"] ?? "demo-pos";
        var adminId = configuration["Demo:AdminClientId"] ?? "demo-admin";
        await EnsureClient(posId, secrets.Pos, [Scopes.PosIntegration], [Location]);
        await EnsureClient(adminId, secrets.Admin, [Scopes.WidgetsAdmin], []);
        lifetime.ApplicationStarted.Register(() => Announce(posId, adminId, generated ? secrets : null));
    }

    private async Task EnsureClient(string clientId, string secret, IReadOnlyList<string> scopes, IReadOnlyList<LocationKey> locations)
    {
        var grain = grains.Grain<IApiClientGrain>(clientId);
        var hash = await grain.GetSecretHash();
        if (hash is null || !ClientSecrets.Matches(secret, hash))
        {
            await grain.Register(new ApiClientRegistration(scopes, locations, ClientSecrets.Hash(secret)), replace: true);
        }
    }

    /// <summary>
    /// The banner. Secrets appear only on the start that generated them: console output ends up in logs, and a secret
    /// printed at every start would sit in every log. Later starts point at the file that keeps them.
    /// </summary>
    private void Announce(string posId, string adminId, DemoSecrets? generated)
    {
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5080";
        var file = DemoSecrets.PathIn(configuration);
        logger.LogInformation("Demo data ready at {Location}: POS client {PosClientId}, admin client {AdminClientId}", Location, posId, adminId);
        var pos = generated?.Pos ?? "<secret>";
        if (string.Equals(configuration["Logging:Console:FormatterName"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // JSON logs are one object per line: the banner's facts as one record instead of a drawn box.
            logger.LogInformation("Demo banner: POS client {PosClientId} / {PosClientSecret}, admin client {AdminClientId} / {AdminClientSecret}, secrets kept in {SecretsFile}, dashboard {Url}/dashboard/",
                posId, pos, adminId, generated?.Admin ?? "<secret>", file, url);
            return;
        }

        Console.WriteLine($"""

            ==== Widgets demo ====================================================
              POS client:    {posId} / {pos}   (scope pos_integration, location demo/store-1)
              Admin client:  {adminId} / {generated?.Admin ?? "<secret>"}   (scope widgets_admin)
              Secrets:       {(generated is null ? "kept in" : "generated now, shown once; kept in")} {file} (readable by this user only)
              Token:         curl -s -u {posId}:{pos} -d grant_type=client_credentials -d scope=pos_integration {url}/connect/token
              Dashboard:     {url}/dashboard/      API docs: {url}/scalar/v1
            ======================================================================

            """);
    }

    /// <summary>Demo secrets: configured, else generated once and kept in the data directory so they survive restarts.</summary>
    private sealed record DemoSecrets(string Pos, string Admin)
    {
        private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

        public static string PathIn(IConfiguration configuration) => Path.Combine(WidgetsOptions.From(configuration).DataPath, "demo-secrets.json");

        /// <summary>The secrets, and whether this start generated one of them (configured ones are never printed).</summary>
        public static (DemoSecrets Secrets, bool Generated) Load(IConfiguration configuration)
        {
            var path = PathIn(configuration);
            var saved = File.Exists(path) ? JsonSerializer.Deserialize<DemoSecrets>(File.ReadAllText(path)) : null;
            var secrets = new DemoSecrets(
                configuration["Demo:PosClientSecret"] ?? saved?.Pos ?? ClientSecrets.Generate(),
                configuration["Demo:AdminClientSecret"] ?? saved?.Admin ?? ClientSecrets.Generate());
            var generated = (configuration["Demo:PosClientSecret"] is null && saved?.Pos is null)
                || (configuration["Demo:AdminClientSecret"] is null && saved?.Admin is null);
            if (secrets != saved)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnly;
                }

                using var file = new FileStream(path, options);
                JsonSerializer.Serialize(file, secrets);
            }

            if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != OwnerOnly)
            {
                // A file written by an earlier version was readable by everyone on the host.
                File.SetUnixFileMode(path, OwnerOnly);
            }

            return (secrets, generated);
        }
    }
}
