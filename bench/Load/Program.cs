using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Widgets.Bench;

// Widgets benchmark. Usually started by bench/run.sh, which builds everything in Release first.
//   run [--smoke] [--only list,token,flow,catalogue,store,timeouts,memory,fresh-start,rss,screens,startup,cluster] [--targets baseline,embedded]
//       [--root DIR] [--out DIR] [--gateway-dll PATH] [--baseline-dll PATH] [--connections 1,16] [--duration SECONDS] [--sessions 10000,50000] [--catalogue 10000x20]
//       [--targets external --url http://127.0.0.1:5080 --pid PID]   drive a service you started (e.g. to profile it)
//   report --in results.json [--out DIR]          re-render report.md and chart.svg from saved results
var options = Options.Parse(args);
if (options.Command == "report")
{
    // Several results files (comma-separated) merge into one report, e.g. runs of different scenario groups.
    var files = options.In!.Split(',', StringSplitOptions.RemoveEmptyEntries);
    var saved = JsonSerializer.Deserialize<Results>(File.ReadAllText(files[0]), Options.Json)!;
    foreach (var more in files.Skip(1).Select(f => JsonSerializer.Deserialize<Results>(File.ReadAllText(f), Options.Json)!))
    {
        saved.Load.AddRange(more.Load);
        saved.Memory.AddRange(more.Memory);
        saved.Timeouts.AddRange(more.Timeouts);
        saved.Startup.AddRange(more.Startup);
        saved.Catalogues.AddRange(more.Catalogues);
        saved.FreshStarts.AddRange(more.FreshStarts);
        saved.Rss.AddRange(more.Rss);
        saved.Problems.AddRange(more.Problems);
        saved.Minutes += more.Minutes;
        foreach (var (k, v) in more.Samples)
        {
            saved.Samples.TryAdd(k, v);
        }

        foreach (var (k, v) in more.Machine)
        {
            saved.Machine[k] = saved.Machine.TryGetValue(k, out var first) && first != v ? $"{first}; {v}" : v;
        }
    }

    Write(saved, options.Out ?? Path.GetDirectoryName(Path.GetFullPath(files[0]))!);
    return 0;
}

if (options.Command == "serve")
{
    // Starts one host with the benchmark's settings and keeps it until this process is stopped: for profiling with
    // `run --targets external --url … --pid …` and dotnet-trace / dotnet-counters.
    var root0 = options.Root ?? FindRoot();
    var scratch0 = Path.Combine(root0, "bench", "results", "tmp");
    Directory.CreateDirectory(scratch0);
    var layout0 = new Layout(root0, Path.Combine(root0, "bench"),
        options.GatewayDll ?? Path.Combine(root0, "gateway", "bin", "Release", "net10.0", "Widgets.Gateway.dll"),
        options.BaselineDll ?? Path.Combine(root0, "bench", "Baseline", "bin", "Release", "net10.0", "Widgets.Bench.Baseline.dll"), scratch0);
    await using var served = options.Targets?.FirstOrDefault() == "baseline" ? ProcessTarget.StartBaseline(layout0, scratch0) : ProcessTarget.StartEmbedded(layout0, scratch0, options.Data);
    await served.WaitReady(TimeSpan.FromSeconds(120));
    Console.WriteLine($"serving {served.Name} at {served.BaseUrl} pid {served.MainPid} (log {served.Log})");
    var stopped = new TaskCompletionSource();
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopped.TrySetResult(); });
    using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopped.TrySetResult(); });
    await stopped.Task;
    return 0;
}

if (options.Command != "run")
{
    Console.Error.WriteLine("usage: Widgets.Bench run [--smoke] [--only groups] [--targets baseline,embedded] | report --in results.json");
    return 2;
}

var profile = options.Smoke ? Profile.Smoke : Profile.Full;
if (options.Concurrencies is { } connections)
{
    var list = connections.Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
    profile = profile with { Concurrencies = list, ClusterConcurrencies = list };
}

if (options.Sessions is { } sessions)
{
    profile = profile with { MemorySessions = sessions.Select(n => int.Parse(n, CultureInfo.InvariantCulture)).ToArray() };
}

if (options.Catalogue is { } catalogue)
{
    var parts = catalogue.Split('x');
    profile = profile with { CatalogueLocations = int.Parse(parts[0], CultureInfo.InvariantCulture), CatalogueWidgets = int.Parse(parts[1], CultureInfo.InvariantCulture) };
}

if (options.Duration is { } seconds)
{
    profile = profile with { Duration = TimeSpan.FromSeconds(seconds) };
}
var root = options.Root ?? FindRoot();
var bench = Path.Combine(root, "bench");
var outDir = Path.GetFullPath(options.Out ?? Path.Combine(bench, "results", options.Smoke ? "smoke" : ""));
var scratch = Path.Combine(bench, "results", "tmp");
Directory.CreateDirectory(outDir);
Directory.CreateDirectory(scratch);
var layout = new Layout(root, bench,
    options.GatewayDll ?? Path.Combine(root, "gateway", "bin", "Release", "net10.0", "Widgets.Gateway.dll"),
    options.BaselineDll ?? Path.Combine(bench, "Baseline", "bin", "Release", "net10.0", "Widgets.Bench.Baseline.dll"),
    scratch);
foreach (var dll in new[] { layout.GatewayDll, layout.BaselineDll })
{
    if (!File.Exists(dll))
    {
        Console.Error.WriteLine($"missing {dll}: build in Release first (bench/run.sh does)");
        return 2;
    }
}

var logFile = new StreamWriter(Path.Combine(outDir, "run.log"), append: false) { AutoFlush = true };
var clock = Stopwatch.StartNew();
void Log(string line)
{
    var stamped = $"[{clock.Elapsed:mm\\:ss}] {line}";
    Console.WriteLine(stamped);
    logFile.WriteLine(stamped);
}

var results = new Results { Profile = profile.Name, StartedAt = DateTimeOffset.UtcNow, Machine = MachineInfo("before") };
var groups = options.Only ?? ["list", "token", "flow", "catalogue", "store", "timeouts", "memory", "fresh-start", "rss", "screens", "startup", "cluster"];
var targets = options.Targets ?? ["baseline", "embedded"];
if (!Wrk.Installed())
{
    Console.Error.WriteLine("wrk is not installed: bench/run.sh installs Debian's package (apt-get install -y wrk)");
    return 2;
}

var wrk = new Wrk(bench, scratch);
var scenarios = new Scenarios(profile, results, wrk, Log);
var scale = new ScaleScenarios(profile, layout, results, wrk, Log);
var memoryProbe = new MemoryProbe(bench, scratch, Log);
Log($"profile {profile.Name}: groups {string.Join(",", groups)}; targets {string.Join(",", targets)}; load average {results.Machine["load average (before)"]}");

async Task<ITarget> Start(string name)
{
    if (name == "external")
    {
        return new ExternalTarget(options.Url ?? throw new ArgumentException("--targets external needs --url"), options.Pid);
    }

    var host = name == "baseline" ? ProcessTarget.StartBaseline(layout, scratch) : ProcessTarget.StartEmbedded(layout, scratch);
    await host.WaitReady(TimeSpan.FromSeconds(120));
    Log($"{name} ready at {host.BaseUrl} (pid {host.MainPid})");
    return host;
}

async Task Guard(string what, Func<Task> action)
{
    try
    {
        await action();
    }
    catch (Exception ex)
    {
        Log($"FAILED {what}: {ex}");
        results.Problems.Add($"{what}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
    }

    // Keep what was measured so far, should the run be cut short.
    results.Minutes = clock.Elapsed.TotalMinutes;
    Write(results, outDir);
}

bool Has(string group) => groups.Contains(group);

foreach (var name in targets)
{
    if (Has("list") || Has("token") || Has("flow") || Has("catalogue") || Has("store") || (Has("timeouts") && !profile.FreshHostPerScaleScenario))
    {
        await Guard($"{name}: request scenarios", async () =>
        {
            await using var host = await Start(name);
            var list = await Scenarios.SeedList(host, Log);
            var flow = await scenarios.SeedFlow(host);
            results.Samples[name] = await Scenarios.Samples(host, list, flow);
            await scenarios.WarmUp(host, list, flow);
            if (Has("list"))
            {
                await Guard($"{name}: list", () => scenarios.List(host, list, notModified: false, profile.Concurrencies));
                await Guard($"{name}: list-304", () => scenarios.List(host, list, notModified: true, profile.Concurrencies));
            }

            if (Has("token"))
            {
                await Guard($"{name}: token", () => scenarios.Token(host, profile.Concurrencies));
            }

            if (Has("flow"))
            {
                await Guard($"{name}: flow", () => scenarios.Flow(host, flow, profile.Concurrencies));
                await Guard($"{name}: flow-rate", () => scenarios.FlowAtRate(host, flow));
            }

            if (Has("catalogue"))
            {
                await Guard($"{name}: catalogue", () => scenarios.CatalogueScale(host));
            }

            if (Has("store") && name != "baseline")
            {
                await Guard($"{name}: store", () => scenarios.StoreStorm(host));
            }

            if (Has("timeouts") && !profile.FreshHostPerScaleScenario)
            {
                await Guard($"{name}: timeouts", () => scale.Timeouts(host));
            }
        });
    }

    if (Has("timeouts") && profile.FreshHostPerScaleScenario)
    {
        await Guard($"{name}: timeouts", async () =>
        {
            await using var host = await Start(name);
            await scale.Timeouts(host);
        });
    }

    if (Has("memory"))
    {
        await Guard($"{name}: memory", async () =>
        {
            await using var host = await Start(name);
            await scale.Memory(host, memoryProbe);
        });
    }

    if (Has("fresh-start") && name != "external")
    {
        await Guard($"{name}: fresh-start", () => scale.FreshStart(name));
    }

    if (Has("rss") && name == "embedded")
    {
        await Guard($"{name}: rss", () => scale.MemoryAfterLoad(name, scenarios));
    }

    if (Has("screens") && name == "embedded")
    {
        await Guard($"{name}: screens", () => new ScreenScenario(profile, layout, results, memoryProbe, Log).Run());
    }
}

if (Has("telemetry"))
{
    // Telemetry on vs off (issue 14: ≥ 0.95 × on list); not in the default groups: `--only telemetry`.
    await Guard("telemetry", async () =>
    {
        await using var off = ProcessTarget.StartEmbedded(layout, scratch, overrides: new Dictionary<string, string> { ["Telemetry:Enabled"] = "false" });
        await using var on = ProcessTarget.StartEmbedded(layout, scratch, overrides: new Dictionary<string, string> { ["Telemetry:Enabled"] = "true" });
        await off.WaitReady(TimeSpan.FromSeconds(120));
        await on.WaitReady(TimeSpan.FromSeconds(120));
        Log($"telemetry: off at {off.BaseUrl} (pid {off.MainPid}), on at {on.BaseUrl} (pid {on.MainPid})");
        var offList = await Scenarios.SeedList(off, Log);
        var onList = await Scenarios.SeedList(on, Log);
        await scenarios.TelemetryOverhead(off, offList, on, onList, connections: 64, rounds: profile == Profile.Smoke ? 1 : 3);
    });
}

if (Has("startup"))
{
    foreach (var name in targets)
    {
        await Guard($"{name}: startup", () => scale.Startup(name));
    }
}

if (Has("cluster"))
{
    await Guard("cluster", async () =>
    {
        Log("cluster: deploy/local-cluster.sh up --silos 2 --gateways 1 (PostgreSQL)");
        await using var cluster = await ClusterTarget.Start(layout, Log);
        Log($"cluster ready at {cluster.BaseUrl}");
        var list = await Scenarios.SeedList(cluster, Log);
        var flow = await scenarios.SeedFlow(cluster);
        results.Samples["cluster"] = await Scenarios.Samples(cluster, list, flow);
        await scenarios.WarmUp(cluster, list, flow);
        await Guard("cluster: list", () => scenarios.List(cluster, list, notModified: false, profile.ClusterConcurrencies));
        await Guard("cluster: list-304", () => scenarios.List(cluster, list, notModified: true, profile.ClusterConcurrencies));
        await Guard("cluster: flow", () => scenarios.Flow(cluster, flow, profile.ClusterConcurrencies));
    });
}

foreach (var problem in Report.ParityProblems(results))
{
    results.Problems.Add(problem);
}

foreach (var (key, value) in MachineInfo("after"))
{
    results.Machine[key] = value;
}

results.Minutes = clock.Elapsed.TotalMinutes;
Write(results, outDir);
Log($"report: {Path.Combine(outDir, "report.md")}");
wrk.DeleteRequestFiles();

// A smoke run fails when a scenario could not run or saw errors; a full run reports errors as results.
var errors = results.Load.Where(l => l.Failed + l.Skipped > 0).Select(l => $"{l.Scenario}/{l.Target}/{l.Concurrency}: {l.ErrorSummary}")
    .Concat(results.Timeouts.Where(t => t.NotEnded > 0).Select(t => $"timeouts/{t.Target}: {t.NotEnded} sessions never ended"))
    .Concat(results.FreshStarts.Where(f => f.Windows.Any(w => w.Errors > 0)).Select(f => $"fresh-start/{f.Target}: {f.Windows.Sum(w => w.Errors)} errors"))
    .Concat(results.Rss.Where(r => r.Errors > 0).Select(r => $"rss/{r.Target}: {r.Errors} errors during the load run"))
    .Concat(results.Screens.Where(r => r.Errors > 0).Select(r => $"screens/{r.Target}: {r.Errors} errors"))
    .ToList();
foreach (var e in errors)
{
    Log($"errors: {e}");
}

var failed = results.Problems.Count > 0 || (profile.Name == "smoke" && errors.Count > 0);
Log(failed ? $"bench: FAILED ({results.Problems.Count} problems, {errors.Count} scenarios with errors)" : $"bench: ok ({results.Load.Count} load runs, {results.Problems.Count} problems)");
return failed ? 1 : 0;

static void Write(Results results, string outDir)
{
    Directory.CreateDirectory(outDir);
    File.WriteAllText(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(results, Options.Json));
    File.WriteAllText(Path.Combine(outDir, "chart.svg"), Report.Chart(results));
    File.WriteAllText(Path.Combine(outDir, "report.md"), Report.Markdown(results, "chart.svg"));
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Widgets.Orleans.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

static Dictionary<string, string> MachineInfo(string when)
{
    var info = new Dictionary<string, string>();
    if (when == "before")
    {
        info["cores"] = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        info["CPU"] = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var mem = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        info["memory"] = $"{long.Parse(mem, CultureInfo.InvariantCulture) / 1024 / 1024} GiB";
        info[".NET"] = Environment.Version.ToString();
    }

    info[$"load average ({when})"] = string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    return info;
}

internal sealed record Options(string Command, bool Smoke, string[]? Only, string[]? Targets, string? Root, string? Out, string? In, string? GatewayDll, string? BaselineDll,
    string? Url = null, int Pid = 0, string[]? Concurrencies = null, double? Duration = null, string? Data = null, string[]? Sessions = null, string? Catalogue = null)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static Options Parse(string[] args)
    {
        var o = new Options(args.FirstOrDefault() ?? "", false, null, null, null, null, null, null, null);
        for (var i = 1; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--smoke" => o with { Smoke = true },
                "--only" => o with { Only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--targets" => o with { Targets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--root" => o with { Root = Path.GetFullPath(Next()) },
                "--out" => o with { Out = Next() },
                "--in" => o with { In = Next() },
                "--gateway-dll" => o with { GatewayDll = Path.GetFullPath(Next()) },
                "--baseline-dll" => o with { BaselineDll = Path.GetFullPath(Next()) },
                "--url" => o with { Url = Next() },
                "--data" => o with { Data = Path.GetFullPath(Next()) },
                "--sessions" => o with { Sessions = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--catalogue" => o with { Catalogue = Next() },
                "--duration" => o with { Duration = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--pid" => o with { Pid = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--connections" => o with { Concurrencies = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return o;
    }
}
