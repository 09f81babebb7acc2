using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Widgets.Clients;
using Widgets.Gateway.Auth;
using Widgets.Gateway.Http;
using Widgets.Hosting.Health;

namespace Widgets.Gateway.Hosting;

/// <summary>
/// Warms the POS hot paths up before the gateway reports ready. A freshly started .NET process runs tier-0 JIT code
/// (or ReadyToRun code, which the JIT recompiles once it is hot) and compiles while it serves: on 2 busy cores a
/// restarted gateway answered widgets/list at a fraction of its steady rate for ~20 s (docs/PERFORMANCE.md, "Warm
/// from the first second"). So, as soon as Kestrel listens, this sends widgets/list and widget/start over loopback —
/// through Kestrel, authentication, the endpoint, the grain call and back, as a POS does — until the JIT has stopped
/// compiling (or <c>Widgets:WarmUp:MaxSeconds</c> passed), and <c>/readyz</c> answers 503 <c>warming_up</c> meanwhile,
/// so a load balancer sends traffic to a warm process. Requests that arrive anyway are served as usual.
/// <para>
/// What it touches: a location of its own (a random id under the reserved POS system <see cref="PosSystemId"/>, never
/// stored: an empty location lists no widgets, so no counter or statistic moves, and a start there fails with
/// terminal_not_found before anything is written) and a client of its own that exists only in this process's client
/// cache (<see cref="ApiClientCache"/>, keyed by client id) for the warm-up's duration, granted only that location;
/// its token is signed here. No tenant can see or reach either.
/// </para>
/// <para>On by default; off in Development (tests, <c>dotnet run</c>) unless <c>Widgets:WarmUp:Enabled</c> says otherwise.</para>
/// </summary>
public sealed class StartupWarmUp(
    IServer server,
    ApiClientCache clientCache,
    RateLimits limits,
    AccessTokens tokens,
    IConfiguration configuration,
    IHostEnvironment environment,
    TimeProvider clock,
    ILogger<StartupWarmUp> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>The reserved POS system of the warm-up's location.</summary>
    public const string PosSystemId = "widgets-warm-up";

    /// <summary>
    /// The JIT counts as settled when it compiled fewer methods than this in the last <see cref="QuietWindow"/>: the
    /// hot methods have reached their last tier (with tiered PGO: ReadyToRun or tier 0, then instrumented, then
    /// optimized). A trickle of compilations goes on long after (rarely taken branches, the warm-up's own client).
    /// </summary>
    private const int SettledBelow = 10;

    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(1);

    private readonly CancellationTokenSource stopping = new();
    private Task? running;
    private volatile bool warm;

    /// <summary>False while the warm-up runs: <c>/readyz</c> then answers 503.</summary>
    public bool IsWarm => warm;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service started, Kestrel included; the warm-up goes on in the background.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var enabled = configuration.GetValue("Widgets:WarmUp:Enabled", !environment.IsDevelopment());
        var address = enabled ? LoopbackAddress() : null;
        if (address is null)
        {
            if (enabled)
            {
                logger.LogInformation("Warm-up skipped: the gateway listens on no plain-HTTP address it can reach over loopback");
            }

            warm = true;
            return Task.CompletedTask;
        }

        var budget = TimeSpan.FromSeconds(configuration.GetValue("Widgets:WarmUp:MaxSeconds", 20.0));
        running = Task.Run(() => WarmUp(address, budget, stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => stopping.CancelAsync();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (running is not null)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => stopping.Dispose();

    private async Task WarmUp(Uri address, TimeSpan budget, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var location = LocationKey.Create(PosSystemId, Guid.NewGuid().ToString("N"));
        // Clients enough that each stays well under the per-client rate limit at a few thousand requests per second.
        var clients = Enumerable.Range(0, Math.Clamp(20_000 / Math.Max(1, limits.PosPerClientPerSecond), 8, 256)).Select(_ => new ApiClient
        {
            ClientId = $"{PosSystemId}-{Guid.NewGuid():N}",
            Scopes = [Scopes.PosIntegration],
            Locations = [location],
            CreatedAt = clock.GetUtcNow().AddMinutes(-1),
        }).ToList();
        var (lists, starts, limited, compiledBefore) = (0L, 0L, 0L, JitInfo.GetCompiledMethodCount());
        string? problem = null;
        try
        {
            var auth = new List<AuthenticationHeaderValue>();
            foreach (var client in clients)
            {
                clientCache.Admit(client, budget + TimeSpan.FromMinutes(1));
                auth.Add(new AuthenticationHeaderValue("Bearer", tokens.Issue(client, [Scopes.PosIntegration])));
            }

            var connections = Math.Max(4, 4 * Environment.ProcessorCount);
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false, UseCookies = false })
            {
                BaseAddress = address,
                Timeout = TimeSpan.FromSeconds(10),
            };
            var pos = $"/v2/pos/{location.PosSystemId}";
            var (lastCount, lastAt, sent) = (JitInfo.GetCompiledMethodCount(), watch.Elapsed, 0L);
            // The budget is checked between requests: a request cut off mid-body would be an error on the server side.
            while (watch.Elapsed < budget && problem is null)
            {
                // A round: every connection lists 20 times and starts once, each request as another client and terminal.
                problem = (await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
                {
                    for (var i = 0; i <= 20 && watch.Elapsed < budget; i++)
                    {
                        var n = Interlocked.Increment(ref sent);
                        var start = i == 20;
                        var body = $"{{\"posLocationId\":\"{location.LocationId}\",\"terminalId\":\"lane-{n % 64}\"{(start ? ",\"widgetId\":1" : "")}}}";
                        // widget/start answers terminal_not_found: the location grain refuses before it writes anything.
                        var expected = start ? HttpStatusCode.NotFound : HttpStatusCode.OK;
                        var status = await Send(http, start ? $"{pos}/widget/start" : $"{pos}/widgets/list", body, auth[(int)(n % auth.Count)], cancellationToken);
                        if (status == HttpStatusCode.TooManyRequests)
                        {
                            Interlocked.Increment(ref limited);
                        }
                        else if (status != expected)
                        {
                            return $"{(start ? "widget/start" : "widgets/list")} answered {(int)status}";
                        }
                        else if (start)
                        {
                            Interlocked.Increment(ref starts);
                        }
                        else
                        {
                            Interlocked.Increment(ref lists);
                        }
                    }

                    return null;
                }))).FirstOrDefault(p => p is not null);

                if (watch.Elapsed - lastAt >= QuietWindow)
                {
                    var count = JitInfo.GetCompiledMethodCount();
                    logger.LogDebug("Warm-up at {Seconds:F1} s: {Requests} requests, {Methods} methods compiled in the last {Window:F1} s",
                        watch.Elapsed.TotalSeconds, Interlocked.Read(ref sent), count - lastCount, (watch.Elapsed - lastAt).TotalSeconds);
                    if (count - lastCount < SettledBelow)
                    {
                        break;
                    }

                    (lastCount, lastAt) = (count, watch.Elapsed);
                }
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            problem = cancellationToken.IsCancellationRequested ? "the host is stopping" : $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            foreach (var client in clients)
            {
                clientCache.Forget(client.ClientId);
            }

            warm = true;
        }

        if (problem is not null)
        {
            logger.LogWarning("Warm-up stopped after {Seconds:F1} s: {Problem}; the gateway starts cold (the warm-up's requests must pass as a POS's do)",
                watch.Elapsed.TotalSeconds, problem);
        }
        else
        {
            logger.LogInformation("Warmed up in {Seconds:F1} s: {Lists} lists and {Starts} starts over loopback ({Limited} rate-limited), {Methods} methods compiled meanwhile ({JitMs:F0} ms of JIT in this process so far)",
                watch.Elapsed.TotalSeconds, lists, starts, limited, JitInfo.GetCompiledMethodCount() - compiledBefore, JitInfo.GetCompilationTime().TotalMilliseconds);
        }
    }

    private static async Task<HttpStatusCode> Send(HttpClient http, string path, string json, AuthenticationHeaderValue auth, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        return response.StatusCode;
    }

    /// <summary>The first plain-HTTP address Kestrel listens on, as a loopback URL (a wildcard host becomes 127.0.0.1).</summary>
    private Uri? LoopbackAddress()
    {
        foreach (var listening in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var text = listening.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal);
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
            {
                continue;
            }

            var host = uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost" ? "127.0.0.1" : uri.Host;
            if (host == "127.0.0.1" || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)))
            {
                return new UriBuilder(uri) { Host = host }.Uri;
            }
        }

        return null;
    }
}

/// <summary>Registers the warm-up, and a readiness check that holds <c>/readyz</c> at 503 until it has finished.</summary>
public static class StartupWarmUpSetup
{
    public static IServiceCollection AddStartupWarmUp(this IServiceCollection services)
    {
        services.AddSingleton<StartupWarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<StartupWarmUp>());
        services.AddHealthChecks().AddCheck<WarmUpHealthCheck>("warm-up", tags: [WidgetsHealth.ReadinessTag]);
        return services;
    }

    private sealed class WarmUpHealthCheck(StartupWarmUp warmUp) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(warmUp.IsWarm
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("warming up its request paths; ready in a few seconds."));
    }
}
