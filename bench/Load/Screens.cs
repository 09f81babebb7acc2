using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace Widgets.Bench;

/// <summary>One run of the screens scenario: memory per connected terminal screen and POS start → screen event latency.</summary>
public sealed record ScreensResult(
    string Target,
    int Screens,
    int Terminals,
    long BeforeBytes,
    long ConnectedBytes,
    double ConnectSeconds,
    int Samples,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    int Errors)
{
    public double BytesPerScreen => (ConnectedBytes - BeforeBytes) / (double)Math.Max(1, Screens);
}

/// <summary>
/// screens: a fresh embedded host with one terminal screen connected per terminal (<c>GET /t/{token}/events</c>, held
/// open like a kiosk's page). Resident memory before and after they connect gives the cost of a connected screen;
/// then POS <c>widget/start</c> calls on sample terminals, one at a time, time the start until that terminal's screen
/// receives its <c>live</c> state event, with every screen still connected. Last, still connected, a gcdump (a full
/// GC) lists the managed types there are about as many of as screens, largest first: where a screen's bytes go.
/// </summary>
public sealed class ScreenScenario(Profile profile, Layout layout, Results results, MemoryProbe probe, Action<string> log)
{
    private const string PosSystem = "screens";
    private const int TerminalsPerLocation = 1000;

    public async Task Run()
    {
        await using var host = ProcessTarget.StartEmbedded(layout, layout.Scratch);
        await host.WaitReady(TimeSpan.FromSeconds(120));
        var screens = profile.Screens;
        var locations = (screens + TerminalsPerLocation - 1) / TerminalsPerLocation;
        var perLocation = Math.Min(screens, TerminalsPerLocation);
        var catalogue = await Api.Seed(host.BaseUrl, PosSystem, locations, 1, perLocation, (_, _) => 60, 32, log);
        var terminals = Enumerable.Range(0, screens).Select(i => (Location: i / TerminalsPerLocation, Terminal: i % TerminalsPerLocation)).ToList();

        // The screen links, as each POS asks for its lane's.
        var links = new string[screens];
        var errors = 0;
        await Batch.ForEach(host.BaseUrl, Enumerable.Range(0, screens).ToList(), 32, async (c, i) =>
        {
            var (l, t) = terminals[i];
            var reply = await c.Send(HttpMethod.Post, $"/v2/pos/{PosSystem}/carousel",
                Api.Json(new { posLocationId = Api.Location(l), terminalId = Api.Terminal(t) }), catalogue.TokenFor(l));
            links[i] = reply.StringMember("url") is { } url ? new Uri(url).AbsolutePath : "";
            if (reply.Status != 200)
            {
                Interlocked.Increment(ref errors);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(profile.ScreensSettleSeconds));
        var before = MemoryProbe.WorkingSet(host.MainPid);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(host.BaseUrl), Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var live = new ConcurrentDictionary<int, long>();
        var connected = new CountdownEvent(screens);
        var clock = Stopwatch.StartNew();
        var readers = new List<Task>(screens);
        using (var gate = new SemaphoreSlim(64))
        {
            for (var i = 0; i < screens; i++)
            {
                await gate.WaitAsync();
                var screen = i;
                readers.Add(Task.Run(async () =>
                {
                    var first = true;
                    try
                    {
                        await Follow(http, links[screen] + "/events", stop.Token, view =>
                        {
                            if (first)
                            {
                                first = false;
                                gate.Release();
                                connected.Signal();
                            }

                            if (view == "live")
                            {
                                live.TryAdd(screen, Stopwatch.GetTimestamp());
                            }
                        });
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                    {
                        if (Interlocked.Increment(ref errors) <= 5)
                        {
                            log($"  screen {screen}: {ex.GetType().Name}: {ex.Message}");
                        }
                    }
                    finally
                    {
                        if (first)
                        {
                            gate.Release();
                            connected.Signal();
                        }
                    }
                }));
            }

            connected.Wait(TimeSpan.FromMinutes(10));
        }

        var connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(TimeSpan.FromSeconds(profile.ScreensSettleSeconds));
        var connectedBytes = MemoryProbe.WorkingSet(host.MainPid);

        // Start → live event at the screen, one terminal at a time, spread over the terminals.
        var latencies = new List<double>();
        using (var pos = new Connection(host.BaseUrl))
        {
            var step = Math.Max(1, screens / profile.ScreensLatencySamples);
            for (var i = 0; i < screens && latencies.Count < profile.ScreensLatencySamples; i += step)
            {
                var (l, t) = terminals[i];
                var sent = Stopwatch.GetTimestamp();
                var reply = await pos.Send(HttpMethod.Post, $"/v2/pos/{PosSystem}/widget/start",
                    Api.Json(new { posLocationId = Api.Location(l), terminalId = Api.Terminal(t), widgetId = 1 }), catalogue.TokenFor(l));
                if (reply.Status != 200)
                {
                    errors++;
                    continue;
                }

                var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
                while (!live.ContainsKey(i) && Stopwatch.GetTimestamp() < deadline)
                {
                    await Task.Delay(1);
                }

                if (live.TryGetValue(i, out var at))
                {
                    latencies.Add((at - sent) * 1000.0 / Stopwatch.Frequency);
                }
                else
                {
                    errors++;
                }
            }
        }

        // After RSS and latency were read, so the induced GC changes neither.
        var heap = await probe.Measure(host.MainPid, "screens");
        log(FormattableString.Invariant($"  screens: managed heap after a full GC {heap.ManagedBytes / 1e6:F0} MB; types with ≥ {screens / 2:N0} objects (bytes per screen, objects per screen):"));
        foreach (var (type, (bytes, count)) in heap.Types.Where(t => t.Value.Count >= screens / 2).OrderByDescending(t => t.Value.Bytes).Take(40))
        {
            log(FormattableString.Invariant($"    {bytes / (double)screens,8:F0} B  {count / (double)screens,5:F1}  {type}"));
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers.Select(r => r.ContinueWith(_ => { }, TaskScheduler.Default)));
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var result = new ScreensResult("embedded", screens, screens, before, connectedBytes, connectSeconds, latencies.Count,
            Percentile(0.50), Percentile(0.99), latencies.Count == 0 ? double.NaN : latencies[^1], errors);
        results.Screens.Add(result);
        log(FormattableString.Invariant(
            $"  screens: {screens} connected in {connectSeconds:F1} s; RSS {before / 1e6:F0} → {connectedBytes / 1e6:F0} MB = {result.BytesPerScreen / 1024:F1} KB per screen; ")
            + FormattableString.Invariant($"start → live event p50 {result.P50Ms:F1} ms, p99 {result.P99Ms:F1} ms, max {result.MaxMs:F1} ms over {latencies.Count} starts; errors {errors}"));
    }

    /// <summary>Reads one screen's event stream, calling <paramref name="onState"/> with the view of each state event.</summary>
    private static async Task Follow(HttpClient http, string path, CancellationToken stop, Action<string> onState)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, stop);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"HTTP {(int)response.StatusCode} for {path}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(stop);
        using var reader = new StreamReader(body, Encoding.UTF8, false, 512);
        string? type = null;
        while (await reader.ReadLineAsync(stop) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                if (type == "state")
                {
                    var at = line.IndexOf("\"view\":\"", StringComparison.Ordinal);
                    onState(at < 0 ? "" : line[(at + 8)..line.IndexOf('"', at + 8)]);
                }
                else if (type == "heartbeat")
                {
                    onState("heartbeat");
                }
            }
            else if (line.Length == 0)
            {
                type = null;
            }
        }
    }
}
