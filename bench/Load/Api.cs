using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Widgets.Bench;

/// <summary>The calls the benchmark makes to set data up, through the public admin API (the same on every target).</summary>
public static class Api
{
    public static byte[] Json(object value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);

    public static async Task<string> Token(string baseUrl, Credentials client, string scope)
    {
        using var connection = new Connection(baseUrl);
        for (var attempt = 0; ; attempt++)
        {
            var reply = await connection.Send(TokenRequest(baseUrl, client, scope));
            if (reply.Status == 200 && reply.StringMember("access_token") is { } token)
            {
                return token;
            }

            if (attempt >= 20)
            {
                throw new InvalidOperationException($"token for {client.Id} at {baseUrl}: HTTP {reply.Status} {reply.Text}");
            }

            await Task.Delay(250);
        }
    }

    public static HttpRequestMessage TokenRequest(string baseUrl, Credentials client, string scope)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, baseUrl.TrimEnd('/') + "/connect/token")
        {
            Content = new StringContent($"grant_type=client_credentials&scope={scope}", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        request.Headers.Authorization = Http.Basic(client.Id, client.Secret);
        return request;
    }

    public static string Location(int i) => $"loc-{i.ToString("D5", CultureInfo.InvariantCulture)}";

    public static string Terminal(int i) => $"lane-{i.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A widget draft like the demo's loyalty widget, offered by QR and SMS.</summary>
    public static object Widget(int n, int timeoutSeconds) => new
    {
        name = $"Join our loyalty program {n}",
        type = "loyaltyEnrollment",
        description = "Earn a point for every dollar.",
        contexts = new[] { "checkout", "idle" },
        channels = new[] { "qr", "sms", "email" },
        timeoutSeconds,
        sortOrder = n,
        content = new
        {
            headline = "Join Rewards — earn on every visit",
            body = "Sign up in 20 seconds and get 100 welcome points.",
            smsText = "Hi {firstName}, join Rewards here: {url}",
        },
    };

    /// <summary>
    /// Creates <paramref name="locations"/> locations with <paramref name="widgetsPerLocation"/> widgets and
    /// <paramref name="terminalsPerLocation"/> terminals each, and POS clients granted them (1,000 locations per client,
    /// the gateway's limit). Returns the clients' bearer tokens, by location index / 1000.
    /// </summary>
    public static async Task<Catalogue> Seed(string baseUrl, string posSystem, int locations, int widgetsPerLocation, int terminalsPerLocation,
        Func<int, int, int> timeoutSeconds, int connections, Action<string> log)
    {
        var admin = Http.Bearer(await Token(baseUrl, BenchSettings.DemoAdmin, "widgets_admin"));
        var failures = 0;
        var started = DateTime.UtcNow;
        async Task Check(Task<Reply> call, string what)
        {
            var reply = await call;
            if (reply.Status is not (200 or 201) && Interlocked.Increment(ref failures) <= 5)
            {
                log($"setup {what}: HTTP {reply.Status} {reply.Text}");
            }
        }

        // One job per location: its widgets in order (ids 1..W), then its terminals.
        await Batch.ForEach(baseUrl, Enumerable.Range(0, locations).ToList(), connections, async (c, l) =>
        {
            var path = $"/v2/admin/pos/{posSystem}/locations/{Location(l)}";
            for (var w = 0; w < widgetsPerLocation; w++)
            {
                await Check(c.Send(HttpMethod.Post, path + "/widgets", Json(Widget(w + 1, timeoutSeconds(l, w))), admin), "widget");
            }

            for (var t = 0; t < terminalsPerLocation; t++)
            {
                await Check(c.Send(HttpMethod.Put, $"{path}/terminals/{Terminal(t)}", Json(new { name = $"Lane {t}" }), admin), "terminal");
            }
        });
        var writes = locations * (widgetsPerLocation + terminalsPerLocation);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        if (failures > 0)
        {
            throw new InvalidOperationException($"setup of {posSystem}: {failures} of {writes} admin calls failed");
        }

        var tokens = new List<AuthenticationHeaderValue>();
        using var connection = new Connection(baseUrl);
        for (var first = 0; first < locations; first += 1000)
        {
            var clientId = $"{posSystem}-pos-{first / 1000}";
            var grants = Enumerable.Range(first, Math.Min(1000, locations - first)).Select(l => new { posSystemId = posSystem, posLocationId = Location(l) }).ToArray();
            var reply = await connection.Send(HttpMethod.Post, "/v2/admin/clients", Json(new { clientId, scopes = new[] { "pos_integration" }, locations = grants }), admin);
            var secret = reply.StringMember("clientSecret") ?? throw new InvalidOperationException($"client {clientId}: HTTP {reply.Status} {reply.Text}");
            tokens.Add(Http.Bearer(await Token(baseUrl, new Credentials(clientId, secret), "pos_integration")));
        }

        log($"  seeded {posSystem}: {locations} locations × ({widgetsPerLocation} widgets + {terminalsPerLocation} terminals) = {writes} admin writes in {seconds:F1} s ({writes / Math.Max(0.001, seconds):F0}/s)");
        return new Catalogue(posSystem, locations, widgetsPerLocation, terminalsPerLocation, tokens, writes, seconds);
    }
}

public sealed record Catalogue(string PosSystem, int Locations, int WidgetsPerLocation, int TerminalsPerLocation, IReadOnlyList<AuthenticationHeaderValue> Tokens,
    int AdminWrites, double SetupSeconds)
{
    public AuthenticationHeaderValue TokenFor(int location) => Tokens[location / 1000];
}
