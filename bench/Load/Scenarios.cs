using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Widgets.Bench;

/// <summary>The request-driving scenarios: list (and its 304), token, the POS flow (closed loop and at a fixed rate), catalogue scale.</summary>
public sealed class Scenarios(Profile profile, Results results, Wrk wrk, Action<string> log)
{
    /// <summary>The flow widgets' session timeout: sessions the flow leaves behind end this long after their last call.</summary>
    private const int FlowTimeoutSeconds = 45;

    private static long phoneCounter = Random.Shared.Next(0, 1_000_000);

    /// <summary>list: one location with six widgets, as many terminals as connections (the listed counter is per terminal).</summary>
    public static Task<Catalogue> SeedList(ITarget target, Action<string> log) =>
        Api.Seed(target.BaseUrl, "list", 1, 6, 0, (_, _) => 45, 4, log);

    /// <summary>flow: one POS terminal per connection, spread over many locations.</summary>
    public Task<Catalogue> SeedFlow(ITarget target) =>
        Api.Seed(target.BaseUrl, "flow", profile.FlowLocations, 1, profile.FlowTerminalsPerLocation, (_, _) => FlowTimeoutSeconds, 16, log);

    /// <summary>
    /// Drives flow, then list, unrecorded, before the first measurement of a host: a gateway that has not yet run
    /// these paths long enough has not finished tiered JIT compilation, and the scenarios measure the steady state
    /// (the fresh-start scenario measures the first seconds). The list part outlasts the flow sessions' timeout, so
    /// their expiry does not fall into a measured window.
    /// </summary>
    public async Task WarmUp(ITarget target, Catalogue list, Catalogue flow)
    {
        var flowPart = profile.HostWarmup / 2;
        var listPart = TimeSpan.FromTicks(Math.Max((profile.HostWarmup / 2).Ticks, profile == Profile.Smoke ? 0 : TimeSpan.FromSeconds(FlowTimeoutSeconds + 5).Ticks));
        await ClosedLoop.Run("warm-up", target.Name, target.BaseUrl, 16, flowPart, TimeSpan.FromSeconds(0.1), 4,
            w => FlowIteration(w, flow), Probe(target));
        await wrk.Run(target.BaseUrl, 16, WholeSeconds(listPart), ListRequests(list, 16, null));
        log($"  warmed up {target.Name}: flow {flowPart.TotalSeconds:F0} s (bench/Load), then list {WholeSeconds(listPart)} s (wrk), not recorded");
    }

    /// <summary>A widgets/list body for the list location; each worker lists as its own terminal, so the per-terminal counters look like a real store's.</summary>
    private static byte[] ListBody(int worker) =>
        Encoding.UTF8.GetBytes($"{{\"posLocationId\":\"{Api.Location(0)}\",\"terminalId\":\"{Api.Terminal(worker)}\"}}");

    /// <summary>widgets/list requests for wrk: one terminal per connection (wrk sends them in turn).</summary>
    private string ListRequests(Catalogue catalogue, int connections, string? etag) =>
        wrk.WriteRequests("list", Enumerable.Range(0, connections)
            .Select(w => new WrkRequest(HttpMethod.Post, $"/v2/pos/{catalogue.PosSystem}/widgets/list", ListBody(w), catalogue.TokenFor(0), etag)));

    public async Task List(ITarget target, Catalogue catalogue, bool notModified, IReadOnlyList<int> concurrencies)
    {
        var scenario = notModified ? "list-304" : "list";
        var path = $"/v2/pos/{catalogue.PosSystem}/widgets/list";
        var token = catalogue.TokenFor(0);
        string? etag = null;
        using (var c = new Connection(target.BaseUrl))
        {
            var first = await c.Send(HttpMethod.Post, path, ListBody(0), token);
            etag = first.ETag ?? throw new InvalidOperationException($"{target.Name}: widgets/list sent no ETag");
            // wrk counts only statuses ≥ 400 as errors: check once here that the request gets what the scenario expects.
            var check = await c.Send(HttpMethod.Post, path, ListBody(1), token, notModified ? etag : null);
            if (check.Status != (notModified ? 304 : 200))
            {
                throw new InvalidOperationException($"{target.Name}: {scenario} answered HTTP {check.Status} {check.Text}");
            }
        }

        foreach (var c in concurrencies)
        {
            Add(await WrkWindow(scenario, target, c, ListRequests(catalogue, c, notModified ? etag : null)));
        }
    }

    /// <summary>
    /// What telemetry costs the list: two embedded gateways, one with <c>Telemetry:Enabled=false</c>, warmed alike and
    /// then measured in alternating wrk windows (off, on, off, on, …), so a neighbour's burst on a shared machine
    /// falls on both. Recorded as scenario <c>list-telemetry</c>, targets <c>telemetry-off</c> and <c>telemetry-on</c>.
    /// </summary>
    public async Task TelemetryOverhead(ITarget off, Catalogue offList, ITarget on, Catalogue onList, int connections, int rounds)
    {
        foreach (var (target, list) in new[] { (off, offList), (on, onList) })
        {
            await wrk.Run(target.BaseUrl, connections, WholeSeconds(profile.HostWarmup), ListRequests(list, connections, null));
        }

        for (var round = 0; round < rounds; round++)
        {
            foreach (var (target, list, name) in new[] { (off, offList, "telemetry-off"), (on, onList, "telemetry-on") })
            {
                var cpu = Probe(target);
                var before = cpu.Sample();
                var run = await wrk.Run(target.BaseUrl, connections, WholeSeconds(profile.Duration), ListRequests(list, connections, null));
                Add(LoadResult.FromWrk("list-telemetry", name, connections, run, CpuProbe.Use(before, cpu.Sample())));
            }
        }
    }

    public async Task Token(ITarget target, IReadOnlyList<int> concurrencies)
    {
        using (var c = new Connection(target.BaseUrl))
        {
            var check = await c.Send(Api.TokenRequest(target.BaseUrl, BenchSettings.DemoPos, "pos_integration"));
            if (check.Status != 200 || check.StringMember("access_token") is null)
            {
                throw new InvalidOperationException($"{target.Name}: /connect/token answered HTTP {check.Status} {check.Text}");
            }
        }

        var requests = wrk.WriteRequests("token", [new WrkRequest(HttpMethod.Post, "/connect/token", null,
            Http.Basic(BenchSettings.DemoPos.Id, BenchSettings.DemoPos.Secret), FormBody: "grant_type=client_credentials&scope=pos_integration")]);
        foreach (var c in concurrencies)
        {
            Add(await WrkWindow("token", target, c, requests));
        }
    }

    /// <summary>A window measured with wrk: a warm-up run (not recorded), then the measured run.</summary>
    private async Task<LoadResult> WrkWindow(string scenario, ITarget target, int connections, string requests, bool random = false)
    {
        await wrk.Run(target.BaseUrl, connections, WholeSeconds(profile.Warmup), requests, random);
        var cpu = Probe(target);
        var before = cpu.Sample();
        var run = await wrk.Run(target.BaseUrl, connections, WholeSeconds(profile.Duration), requests, random);
        return LoadResult.FromWrk(scenario, target.Name, connections, run, CpuProbe.Use(before, cpu.Sample()));
    }

    /// <summary>wrk counts its duration in whole seconds.</summary>
    public static int WholeSeconds(TimeSpan t) => Math.Max(1, (int)Math.Ceiling(t.TotalSeconds - 0.001));

    public async Task Flow(ITarget target, Catalogue catalogue, IReadOnlyList<int> concurrencies, string scenario = "flow")
    {
        foreach (var c in concurrencies)
        {
            Add(await ClosedLoop.Run(scenario, target.Name, target.BaseUrl, c, profile.Warmup, profile.Duration, 4,
                w => FlowIteration(w, catalogue), Probe(target)));
        }
    }

    /// <summary>The flow started at a fixed rate: does the service keep up, without errors?</summary>
    public async Task FlowAtRate(ITarget target, Catalogue catalogue)
    {
        var slots = catalogue.Locations * catalogue.TerminalsPerLocation;
        var result = await ClosedLoop.RunAtRate("flow-rate", target.Name, target.BaseUrl, slots, profile.FlowRate,
            TimeSpan.FromSeconds(Math.Min(3, profile.FlowRateDuration.TotalSeconds / 2)), profile.FlowRateDuration, 4, w => FlowIteration(w, catalogue), Probe(target));
        Add(result);
    }

    /// <summary>start → showQrCode → sendMessage (SMS to the outbox) → GET session, on the worker's own terminal.</summary>
    public static async Task FlowIteration(Worker w, Catalogue catalogue, IDictionary<string, string>? samples = null)
    {
        var location = Api.Location(w.Index % catalogue.Locations);
        var terminal = Api.Terminal(w.Index / catalogue.Locations);
        var pos = $"/v2/pos/{catalogue.PosSystem}";
        var token = catalogue.TokenFor(w.Index % catalogue.Locations);
        var (ok, reply) = await w.Call(0, 200, HttpMethod.Post, $"{pos}/widget/start",
            Utf8($"{{\"posLocationId\":\"{location}\",\"terminalId\":\"{terminal}\",\"widgetId\":1}}"), token);
        Sample(samples, "start", reply);
        if (!ok || reply.StringMember("sessionId") is not { } session)
        {
            return;
        }

        var phone = "+1415" + (2_000_000 + Interlocked.Increment(ref phoneCounter) % 7_000_000).ToString("D7", CultureInfo.InvariantCulture);
        string Interaction(string phoneNumber) =>
            $"{{\"widgetId\":1,\"sessionId\":\"{session}\",\"posLocationId\":\"{location}\",\"terminalId\":\"{terminal}\",\"profile\":{{\"firstName\":\"Ana\",\"lastName\":\"Lee\",\"customerEmail\":\"\",\"customerPhone\":\"{phoneNumber}\",\"salesPerson\":\"Sam\"}}}}";
        (ok, reply) = await w.Call(1, 200, HttpMethod.Post, $"{pos}/widget/showQrCode", Utf8(Interaction("")), token);
        Sample(samples, "showQrCode", reply);
        if (!ok)
        {
            return;
        }

        (ok, reply) = await w.Call(2, 200, HttpMethod.Post, $"{pos}/widget/sendMessage", Utf8(Interaction(phone)), token,
            check: r => r.Contains("\"status\":\"sent\"") ? null : $"message not sent: {r.StringMember("status")} {r.StringMember("reason")}");
        Sample(samples, "sendMessage", reply);
        if (!ok)
        {
            return;
        }

        (_, reply) = await w.Call(3, 200, HttpMethod.Get, $"{pos}/widget/sessions/{session}", null, token,
            check: r => r.StringMember("state") == "active" ? null : $"session {r.StringMember("state")}");
        Sample(samples, "session", reply);
    }

    /// <summary>catalogue: many locations × many widgets; list a random location on every call (wrk picks at random).</summary>
    public async Task CatalogueScale(ITarget target)
    {
        var catalogue = await Api.Seed(target.BaseUrl, "cat", profile.CatalogueLocations, profile.CatalogueWidgets, 0, (_, _) => 45, 32, log);
        var path = $"/v2/pos/{catalogue.PosSystem}/widgets/list";
        byte[] Body(int l) => Utf8($"{{\"posLocationId\":\"{Api.Location(l)}\",\"terminalId\":\"lane-0\"}}");
        using (var c = new Connection(target.BaseUrl))
        {
            var last = catalogue.Locations - 1;
            var check = await c.Send(HttpMethod.Post, path, Body(last), catalogue.TokenFor(last));
            if (check.Status != 200 || check.Body.Length <= 1000 * catalogue.WidgetsPerLocation / 10)
            {
                throw new InvalidOperationException($"{target.Name}: catalogue list of {Api.Location(last)} answered HTTP {check.Status} with {check.Body.Length} bytes");
            }
        }

        var requests = wrk.WriteRequests("catalogue", Enumerable.Range(0, catalogue.Locations)
            .Select(l => new WrkRequest(HttpMethod.Post, path, Body(l), catalogue.TokenFor(l))));
        Add(await WrkWindow("catalogue", target, profile.CatalogueConcurrency, requests, random: true));
        results.Catalogues.Add(new CatalogueResult(target.Name, catalogue.Locations, catalogue.WidgetsPerLocation, catalogue.AdminWrites, catalogue.SetupSeconds));
    }

    /// <summary>The lanes of the store scenario: one location as a big store has it.</summary>
    public const int StoreLanes = 100;

    /// <summary>
    /// store: one location with 100 lanes. Its list measured by wrk (16 connections over the lanes) alone, then again
    /// while 32 workers start sessions on its lanes back to back (each start supersedes the lane's last one): the
    /// location's list must not queue behind the starts' storage writes.
    /// </summary>
    public async Task StoreStorm(ITarget target)
    {
        var store = await Api.Seed(target.BaseUrl, "store", 1, 6, StoreLanes, (_, _) => 45, 16, log);
        var path = $"/v2/pos/{store.PosSystem}/widgets/list";
        var token = store.TokenFor(0);
        var lists = wrk.WriteRequests("store-list", Enumerable.Range(0, StoreLanes)
            .Select(t => new WrkRequest(HttpMethod.Post, path, Utf8($"{{\"posLocationId\":\"{Api.Location(0)}\",\"terminalId\":\"{Api.Terminal(t)}\"}}"), token)));
        const int listConnections = 16, starters = Report.StormStarters;
        Add(await WrkWindow("store-list", target, listConnections, lists));

        var lane = -1;
        async Task Start(Worker w)
        {
            var terminal = Api.Terminal((int)((uint)Interlocked.Increment(ref lane) % StoreLanes));
            await w.Call(0, 200, HttpMethod.Post, $"/v2/pos/{store.PosSystem}/widget/start",
                Utf8($"{{\"posLocationId\":\"{Api.Location(0)}\",\"terminalId\":\"{terminal}\",\"widgetId\":1}}"), token);
        }

        // The storm covers wrk's warm-up run and its measured run.
        var storm = ClosedLoop.Run("store-starts", target.Name, target.BaseUrl, starters, profile.Warmup, profile.Duration + TimeSpan.FromSeconds(1), 1, Start, Probe(target));
        var underStorm = await WrkWindow("store-list-storm", target, listConnections, lists);
        Add(await storm);
        Add(underStorm);
    }

    /// <summary>One flow and one list on each target, kept so the report can check both answer with the same JSON.</summary>
    public static async Task<Dictionary<string, string>> Samples(ITarget target, Catalogue list, Catalogue flow)
    {
        var samples = new Dictionary<string, string>(StringComparer.Ordinal);
        using var connection = new Connection(target.BaseUrl);
        var reply = await connection.Send(HttpMethod.Post, $"/v2/pos/{list.PosSystem}/widgets/list",
            Utf8($"{{\"posLocationId\":\"{Api.Location(0)}\"}}"), list.TokenFor(0));
        Sample(samples, "list", reply);
        Sample(samples, "token", await connection.Send(Api.TokenRequest(target.BaseUrl, BenchSettings.DemoPos, "pos_integration")));
        // The last terminal of the last location: no load scenario uses it, so nothing else is running on it.
        var worker = new Worker(flow.Locations * flow.TerminalsPerLocation - 1, connection, 4);
        await FlowIteration(worker, flow, samples);
        return samples;
    }

    private static void Sample(IDictionary<string, string>? samples, string step, Reply reply)
    {
        if (samples is not null)
        {
            samples[step] = reply.Status == 200 ? reply.Text : $"HTTP {reply.Status}: {reply.Text}";
        }
    }

    private void Add(LoadResult result)
    {
        results.Load.Add(result);
        log($"  {result.Scenario,-10} {result.Target,-9} c={result.Concurrency,-4} {result.Generator,-10} {result.PerSecond,9:F0}/s  p50 {result.Latency.P50Ms,7:F2}  p90 {result.Latency.P90Ms,7:F2}  p99 {result.Latency.P99Ms,7:F2}  max {result.Latency.MaxMs,8:F1} ms"
            + $"  errors {result.Failed}{(result.Skipped > 0 ? $" skipped {result.Skipped}" : "")}  cpu server {result.Cpu.ServerCores:F2} load {result.Cpu.LoadGeneratorCores:F2} machine {result.Cpu.MachineBusyPercent:F0}%"
            + (result.ErrorSummary.Length > 0 ? $"  [{result.ErrorSummary}]" : ""));
    }

    private static CpuProbe Probe(ITarget target) => new(target.ServerPids);

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}

/// <summary>Memory per idle live session, timeout precision, startup.</summary>
public sealed class ScaleScenarios(Profile profile, Layout layout, Results results, Wrk wrk, Action<string> log)
{
    /// <summary>
    /// fresh-start: widgets/list on the demo location from the moment a newly started host reports ready, in
    /// consecutive 1-second wrk windows — what the first users see after a (rolling) restart. t = 0 is /readyz
    /// answering 200 plus one token call and one list that finds the demo data seeded.
    /// </summary>
    public async Task FreshStart(string targetName)
    {
        var connections = profile.FreshStartConnections;
        await using var host = Start(targetName, null);
        await host.WaitReady(TimeSpan.FromSeconds(120));
        var readyMs = Elapsed(host);
        var token = Http.Bearer(await Api.Token(host.BaseUrl, BenchSettings.DemoPos, "pos_integration"));
        var path = "/v2/pos/demo/widgets/list";
        byte[] Body(int terminal) => Encoding.UTF8.GetBytes($"{{\"posLocationId\":\"store-1\",\"terminalId\":\"{Api.Terminal(terminal)}\"}}");
        using (var connection = new Connection(host.BaseUrl))
        {
            var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
            while ((await connection.Send(HttpMethod.Post, path, Body(0), token)).Status != 200)
            {
                if (Stopwatch.GetTimestamp() > deadline || host.HasExited)
                {
                    throw new InvalidOperationException($"{targetName} never listed the demo location; log {host.Log}:\n{ProcessTarget.Tail(host.Log)}");
                }

                await Task.Delay(10);
            }
        }

        var firstListMs = Elapsed(host);
        var requests = wrk.WriteRequests("fresh", Enumerable.Range(0, connections).Select(t => new WrkRequest(HttpMethod.Post, path, Body(t), token)));
        var cpu = new CpuProbe(host.ServerPids);
        var t0 = Stopwatch.GetTimestamp();
        var windows = new List<FreshStartWindow>();
        for (var i = 0; i < profile.FreshStartWindows; i++)
        {
            var start = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
            var before = cpu.Sample();
            var run = await wrk.Run(host.BaseUrl, connections, 1, requests);
            var use = CpuProbe.Use(before, cpu.Sample());
            var generator = use.LoadGeneratorCores + run.CpuSeconds / Math.Max(run.Seconds, 1e-9);
            windows.Add(new FreshStartWindow(start, run.Seconds, run.Requests - run.Errors, run.Errors, run.PerSecond, run.P99Us / 1000.0,
                use.ServerCores, generator, Math.Max(0, use.MachineCores - use.ServerCores - generator)));
        }

        var result = new FreshStartResult(targetName, connections, readyMs, firstListMs, windows);
        results.FreshStarts.Add(result);
        log($"  fresh-start {targetName} c={connections}: ready {readyMs:F0} ms, first list {firstListMs:F0} ms; per 1 s window: "
            + string.Join(" ", windows.Select(w => w.PerSecond.ToString("F0", CultureInfo.InvariantCulture)))
            + $" /s; halves {result.Halves.First:F0} and {result.Halves.Second:F0} /s; errors {windows.Sum(w => w.Errors)}");
    }

    /// <summary>
    /// rss: the resident memory of a fresh host before, during and after a load run (list with wrk, then the flow
    /// with bench/Load, at 64 connections each), and while it idles afterwards: what the process keeps from a busy
    /// hour when the store closes.
    /// </summary>
    public async Task MemoryAfterLoad(string targetName, Scenarios scenarios)
    {
        await using var host = Start(targetName, null);
        await host.WaitReady(TimeSpan.FromSeconds(120));
        var pid = host.MainPid;
        var ready = MemoryProbe.WorkingSet(pid);
        var list = await Scenarios.SeedList(host, log);
        var flow = await scenarios.SeedFlow(host);
        var seeded = MemoryProbe.WorkingSet(pid);
        var peak = seeded;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, MemoryProbe.WorkingSet(pid));
                await Task.Delay(250);
            }
        });
        const int connections = 64;
        var cpu = new CpuProbe(host.ServerPids);
        var beforeList = cpu.Sample();
        var listRun = await wrk.Run(host.BaseUrl, connections, profile.RssLoadSeconds, wrk.WriteRequests("rss-list", Enumerable.Range(0, connections)
            .Select(t => new WrkRequest(HttpMethod.Post, $"/v2/pos/{list.PosSystem}/widgets/list",
                Encoding.UTF8.GetBytes($"{{\"posLocationId\":\"{Api.Location(0)}\",\"terminalId\":\"{Api.Terminal(t)}\"}}"), list.TokenFor(0)))));
        var listCpu = CpuProbe.Use(beforeList, cpu.Sample());
        var flowRun = await ClosedLoop.Run("rss-flow", targetName, host.BaseUrl, connections, TimeSpan.Zero, TimeSpan.FromSeconds(profile.RssLoadSeconds), 4,
            w => Scenarios.FlowIteration(w, flow), new CpuProbe(host.ServerPids));
        await sampling.CancelAsync();
        await sampler;
        var loadEnd = MemoryProbe.WorkingSet(pid);
        peak = Math.Max(peak, loadEnd);
        var samples = new List<double[]>();
        var idle = Stopwatch.StartNew();
        while (idle.Elapsed.TotalSeconds < profile.RssIdleSeconds)
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(5, profile.RssIdleSeconds - idle.Elapsed.TotalSeconds)));
            samples.Add([Math.Round(idle.Elapsed.TotalSeconds, 1), MemoryProbe.WorkingSet(pid)]);
        }

        var result = new RssResult(targetName, ready, seeded, peak, loadEnd, (long)samples[^1][1], profile.RssIdleSeconds, profile.RssLoadSeconds,
            listRun.PerSecond, flowRun.PerSecond, listRun.Errors + flowRun.Failed, samples, listCpu.ServerCores);
        results.Rss.Add(result);
        log($"  rss {targetName}: ready {ready / 1e6:F0} MB, seeded {seeded / 1e6:F0} MB, peak {peak / 1e6:F0} MB, at the end of the load {loadEnd / 1e6:F0} MB, "
            + $"{profile.RssIdleSeconds} s later {result.AfterIdleBytes / 1e6:F0} MB (list {listRun.PerSecond:F0}/s at {listCpu.ServerCores * 1e6 / Math.Max(1, listRun.PerSecond):F0} µs server CPU each, "
            + $"flow {flowRun.PerSecond:F0}/s, for {profile.RssLoadSeconds} s each; errors {result.Errors})");
    }

    private ProcessTarget Start(string targetName, string? data) => targetName == "embedded"
        ? ProcessTarget.StartEmbedded(layout, layout.Scratch, data)
        : ProcessTarget.StartBaseline(layout, layout.Scratch);

    private static double Elapsed(ProcessTarget host) => (Stopwatch.GetTimestamp() - host.StartedTimestamp) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Starts sessions [from, to) of a catalogue with 100 terminals per location; returns (sessionId, expiresAt) of each.</summary>
    private static async Task<(string Id, DateTimeOffset ExpiresAt)[]> StartSessions(ITarget target, Catalogue catalogue, int from, int to, int connections)
    {
        var started = new (string, DateTimeOffset)[to - from];
        var failures = new ConcurrentBag<string>();
        await Batch.ForEach(target.BaseUrl, Enumerable.Range(from, to - from).ToList(), connections, async (c, i) =>
        {
            var l = i % catalogue.Locations;
            var body = Encoding.UTF8.GetBytes($"{{\"posLocationId\":\"{Api.Location(l)}\",\"terminalId\":\"{Api.Terminal(i / catalogue.Locations)}\",\"widgetId\":1}}");
            var reply = await c.Send(HttpMethod.Post, $"/v2/pos/{catalogue.PosSystem}/widget/start", body, catalogue.TokenFor(l));
            if (reply.Status != 200 || reply.StringMember("sessionId") is not { } id || reply.StringMember("expiresAt") is not { } expires)
            {
                failures.Add($"HTTP {reply.Status} {reply.Text}");
                return;
            }

            started[i - from] = (id, DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture));
        });
        if (!failures.IsEmpty)
        {
            throw new InvalidOperationException($"{failures.Count} session starts failed on {target.Name}, e.g. {failures.First()}");
        }

        return started;
    }

    /// <summary>How long the memory scenario leaves its sessions alone before it measures them.</summary>
    public static readonly TimeSpan IdleSettle = TimeSpan.FromSeconds(20);

    public async Task Memory(ITarget target, MemoryProbe probe)
    {
        var max = profile.MemorySessions.Max();
        var locations = (max + 99) / 100;
        var catalogue = await Api.Seed(target.BaseUrl, "mem", locations, 1, 100, (_, _) => 3600, 32, log);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var zero = await probe.Measure(target.MainPid, $"{target.Name}-0");
        log($"  memory {target.Name}: 0 sessions: working set {zero.WorkingSetBytes / 1e6:F1} MB, managed {zero.ManagedBytes / 1e6:F1} MB (gcdump {zero.GcdumpHeapBytes / 1e6:F1} MB)");
        var done = 0;
        foreach (var n in profile.MemorySessions.Order())
        {
            var watch = Stopwatch.StartNew();
            var cpu = new CpuProbe(target.ServerPids);
            var before = cpu.Sample();
            await StartSessions(target, catalogue, done, n, 64);
            var startCpu = CpuProbe.Use(before, cpu.Sample());
            var rate = (n - done) / watch.Elapsed.TotalSeconds;
            done = n;

            // Idle means left alone: the service keeps a session nobody calls in memory for 10 s
            // (Widgets:Sessions:IdleInMemory), then deactivates it within half that again (Orleans' collection quantum).
            await Task.Delay(IdleSettle);
            var sample = await probe.Measure(target.MainPid, $"{target.Name}-{n}");
            var top = sample.Types
                .Select(t => (Type: t.Key, Bytes: t.Value.Bytes - zero.Types.GetValueOrDefault(t.Key).Bytes, Count: t.Value.Count - zero.Types.GetValueOrDefault(t.Key).Count))
                .Where(t => t.Bytes > 0)
                .OrderByDescending(t => t.Bytes)
                .Take(30)
                .Select(t => new TypeShare(t.Type, (double)t.Bytes / n, (double)t.Count / n))
                .ToList();
            var result = new MemoryResult(target.Name, n, rate, sample.WorkingSetBytes, sample.ManagedBytes, sample.GcdumpHeapBytes,
                (double)(sample.WorkingSetBytes - zero.WorkingSetBytes) / n, (double)(sample.ManagedBytes - zero.ManagedBytes) / n,
                (double)(sample.GcdumpHeapBytes - zero.GcdumpHeapBytes) / n, top, startCpu);
            results.Memory.Add(result);
            log($"  memory {target.Name}: {n} sessions (started at {rate:F0}/s; CPU server {startCpu.ServerCores:F2}, bench/Load {startCpu.LoadGeneratorCores:F2} cores): working set {sample.WorkingSetBytes / 1e6:F1} MB, managed {sample.ManagedBytes / 1e6:F1} MB"
                + $" → {result.ManagedPerSession:F0} B managed, {result.WorkingSetPerSession:F0} B working set per session (gcdump: {result.GcdumpPerSession:F0} B)");
        }
    }

    public async Task Timeouts(ITarget target)
    {
        var n = profile.TimeoutSessions;
        var locations = (n + 99) / 100;
        var catalogue = await Api.Seed(target.BaseUrl, "tmo", locations, 1, 100,
            (l, _) => profile.TimeoutMinSeconds + l % profile.TimeoutSpreadSeconds, 16, log);
        var watch = Stopwatch.StartNew();
        var cpu = new CpuProbe(target.ServerPids);
        var before = cpu.Sample();
        var sessions = await StartSessions(target, catalogue, 0, n, 64);
        var startCpu = CpuProbe.Use(before, cpu.Sample());
        var startSeconds = watch.Elapsed.TotalSeconds;
        var first = sessions.Min(s => s.ExpiresAt);
        var last = sessions.Max(s => s.ExpiresAt);
        log($"  timeouts {target.Name}: {n} sessions started in {startSeconds:F1} s; deadlines from {first:HH:mm:ss.fff} to {last:HH:mm:ss.fff} ({(last - first).TotalSeconds:F1} s)");

        // Touch nothing until every deadline has passed (+ grace), then read each session once: endedAt is what the
        // grain's own timer (or reminder) recorded; a GET does not change it.
        var wait = last - DateTimeOffset.UtcNow + profile.TimeoutGrace;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        var token = catalogue.TokenFor(0);
        var outcome = await Read(target, catalogue, sessions, token);
        var pending = outcome.Where(o => o.EndedAt is null).Select(o => o.Index).ToList();
        var recheckedAfter = 0.0;
        if (pending.Count > 0)
        {
            // The reminder (period 1 minute) is the backstop for an activation that lost its timer: give it one period
            // (the smoke run only waits a little, for a slow machine).
            recheckedAfter = profile.Name == "full" ? 70 : 10;
            log($"  timeouts {target.Name}: {pending.Count} sessions still active {profile.TimeoutGrace.TotalSeconds:F0} s after their deadline; re-reading after {recheckedAfter} s");
            await Task.Delay(TimeSpan.FromSeconds(recheckedAfter));
            var again = await Read(target, catalogue, pending.Select(i => sessions[i]).ToArray(), token);
            foreach (var (o, i) in again.Select((o, k) => (o, pending[k])))
            {
                outcome[i] = o with { Index = i };
            }
        }

        var late = outcome.Where(o => o.EndedAt is not null).Select(o => (o.EndedAt!.Value - o.ExpiresAt).TotalMilliseconds).ToArray();
        Array.Sort(late);
        double At(double q) => late.Length == 0 ? double.NaN : late[Math.Min(late.Length - 1, (int)Math.Ceiling(q * late.Length) - 1)];
        var result = new TimeoutResult(target.Name, n, startSeconds, (last - first).TotalSeconds,
            late.Length == 0 ? double.NaN : late[0], At(0.5), At(0.9), At(0.99), At(0.999), late.Length == 0 ? double.NaN : late[^1],
            late.Count(l => l > 2000), outcome.Count(o => o.EndedAt is null), outcome.Count(o => o.State is not ("timedOut" or "active")),
            late.Length == 0 ? 0 : 100.0 * late.Count(l => l <= 2000) / n, recheckedAfter,
            Buckets.Select(b => late.Count(l => l > b.From && l <= b.To)).ToArray(), startCpu);
        results.Timeouts.Add(result);
        log($"  timeouts {target.Name}: late by p50 {result.P50Ms:F0} ms, p99 {result.P99Ms:F0} ms, p99.9 {result.P999Ms:F0} ms, max {result.MaxMs:F0} ms;"
            + $" {result.LateOver2s} later than 2 s, {result.NotEnded} never ended, {result.OtherState} ended otherwise; {result.WithinTwoSecondsPercent:F2} % within 2 s");
    }

    public static readonly (double From, double To, string Label)[] Buckets =
    [
        (double.NegativeInfinity, 0, "≤ 0"), (0, 100, "0–100 ms"), (100, 250, "100–250 ms"), (250, 500, "250–500 ms"),
        (500, 1000, "0.5–1 s"), (1000, 2000, "1–2 s"), (2000, 5000, "2–5 s"), (5000, double.PositiveInfinity, "> 5 s"),
    ];

    private sealed record Observed(int Index, string? State, DateTimeOffset ExpiresAt, DateTimeOffset? EndedAt);

    private static async Task<List<Observed>> Read(ITarget target, Catalogue catalogue, (string Id, DateTimeOffset ExpiresAt)[] sessions, AuthenticationHeaderValue token)
    {
        var observed = new Observed[sessions.Length];
        await Batch.ForEach(target.BaseUrl, Enumerable.Range(0, sessions.Length).ToList(), 32, async (c, i) =>
        {
            var reply = await c.Send(HttpMethod.Get, $"/v2/pos/{catalogue.PosSystem}/widget/sessions/{sessions[i].Id}", null, token);
            var state = reply.Status == 200 ? reply.StringMember("state") : $"HTTP {reply.Status}";
            var expires = reply.StringMember("expiresAt") is { } e ? DateTimeOffset.Parse(e, CultureInfo.InvariantCulture) : sessions[i].ExpiresAt;
            var ended = reply.StringMember("endedAt") is { } x ? DateTimeOffset.Parse(x, CultureInfo.InvariantCulture) : (DateTimeOffset?)null;
            observed[i] = new Observed(i, state, expires, ended);
        });
        return observed.ToList();
    }

    /// <summary>Process start → first successful widgets/list (token included), on a fresh data directory and on a restart.</summary>
    public async Task Startup(string targetName)
    {
        for (var run = 1; run <= profile.StartupRuns; run++)
        {
            var data = targetName == "embedded" ? Directory.CreateTempSubdirectory("widgets-bench-startup-").FullName : null;
            foreach (var kind in targetName == "embedded" ? new[] { "fresh data", "restart" } : ["fresh"])
            {
                await using var host = targetName == "embedded"
                    ? ProcessTarget.StartEmbedded(layout, layout.Scratch, data)
                    : ProcessTarget.StartBaseline(layout, layout.Scratch);
                var (ready, firstList) = await FirstList(host);
                results.Startup.Add(new StartupResult(targetName, kind, run, ready, firstList));
                log($"  startup {targetName} ({kind}, run {run}): ready {ready:F0} ms, first list {firstList:F0} ms");
            }

            if (data is not null)
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static async Task<(double ReadyMs, double FirstListMs)> FirstList(ProcessTarget host)
    {
        using var connection = new Connection(host.BaseUrl);
        double Since() => (Stopwatch.GetTimestamp() - host.StartedTimestamp) * 1000.0 / Stopwatch.Frequency;
        var deadline = Stopwatch.GetTimestamp() + 60 * Stopwatch.Frequency;
        double? ready = null;
        while (Stopwatch.GetTimestamp() < deadline && !host.HasExited)
        {
            var token = await connection.Send(Api.TokenRequest(host.BaseUrl, BenchSettings.DemoPos, "pos_integration"));
            if (token.Status == 200 && token.StringMember("access_token") is { } t)
            {
                ready ??= Since();
                var list = await connection.Send(HttpMethod.Post, "/v2/pos/demo/widgets/list", Encoding.UTF8.GetBytes("{\"posLocationId\":\"store-1\"}"), Http.Bearer(t));
                if (list.Status == 200)
                {
                    return (ready.Value, Since());
                }
            }

            await Task.Delay(10);
        }

        throw new InvalidOperationException($"{host.Name} never listed widgets; log {host.Log}:\n{ProcessTarget.Tail(host.Log)}");
    }
}
