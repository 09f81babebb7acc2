using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Widgets.Bench;

/// <summary>One HTTP connection of the load generator: its own handler, so N workers hold exactly N connections.</summary>
public sealed class Connection : IDisposable
{
    private readonly HttpMessageInvoker invoker;

    public Connection(string baseUrl)
    {
        BaseUrl = baseUrl.TrimEnd('/');
        invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        });
    }

    public string BaseUrl { get; }

    public async Task<Reply> Send(HttpMethod method, string path, byte[]? json, AuthenticationHeaderValue? auth, string? ifNoneMatch = null,
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, BaseUrl + path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(json);
            request.Content.Headers.ContentType = Http.JsonType;
        }

        request.Headers.Authorization = auth;
        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await Send(request, cancellationToken);
    }

    public async Task<Reply> Send(HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(TimeSpan.FromSeconds(30));
            using var response = await invoker.SendAsync(request, cts.Token);
            var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
            var etag = response.Headers.ETag?.ToString();
            return new Reply((int)response.StatusCode, body, etag, Stopwatch.GetTimestamp() - started);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return new Reply(0, Encoding.UTF8.GetBytes(ex.GetType().Name + ": " + ex.Message), null, Stopwatch.GetTimestamp() - started);
        }
    }

    public void Dispose() => invoker.Dispose();
}

public readonly record struct Reply(int Status, byte[] Body, string? ETag, long ElapsedTicks)
{
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>The value of the first <c>"name":"value"</c> string member, found without parsing the whole body.</summary>
    public string? StringMember(string name)
    {
        var key = Encoding.UTF8.GetBytes($"\"{name}\":\"");
        var at = Body.AsSpan().IndexOf(key);
        if (at < 0)
        {
            return null;
        }

        var start = at + key.Length;
        var end = Body.AsSpan(start).IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(Body, start, end);
    }

    public bool Contains(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}

public static class Http
{
    public static readonly MediaTypeHeaderValue JsonType = new("application/json");

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    public static AuthenticationHeaderValue Basic(string id, string secret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(id)}:{Uri.EscapeDataString(secret)}")));
}

/// <summary>Latencies of one kind of request (or of a whole flow), in stopwatch ticks.</summary>
public sealed class Recorder
{
    private readonly List<long> samples = new(1 << 14);

    public int Count => samples.Count;

    public void Add(long ticks) => samples.Add(ticks);

    public static Latency Summarize(IEnumerable<Recorder> recorders)
    {
        var all = recorders.SelectMany(r => r.samples).ToArray();
        return Latency.Of(all);
    }
}

public sealed record Latency(long Count, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs, double MeanMs)
{
    public static Latency Of(long[] ticks)
    {
        if (ticks.Length == 0)
        {
            return new Latency(0, 0, 0, 0, 0, 0, 0);
        }

        Array.Sort(ticks);
        double Ms(long t) => t * 1000.0 / Stopwatch.Frequency;
        double At(double q) => Ms(ticks[Math.Min(ticks.Length - 1, (int)Math.Ceiling(q * ticks.Length) - 1)]);
        return new Latency(ticks.Length, At(0.50), At(0.90), At(0.99), At(0.999), Ms(ticks[^1]), ticks.Average(t => Ms(t)));
    }
}

/// <summary>What a worker's iteration may do: send requests (each timed and checked) and read their bodies.</summary>
public sealed class Worker(int index, Connection connection, int steps)
{
    private readonly Recorder[] stepLatency = Enumerable.Range(0, steps).Select(_ => new Recorder()).ToArray();
    private readonly Dictionary<string, long> errors = new(StringComparer.Ordinal);
    private bool failed;

    public int Index { get; } = index;

    public Connection Connection { get; } = connection;

    public Random Random { get; } = new(index * 7919 + 17);

    public Recorder Iterations { get; } = new();

    public long Ok { get; private set; }

    public long Failed { get; private set; }

    public bool Recording { get; set; }

    public IReadOnlyList<Recorder> Steps => stepLatency;

    public IReadOnlyDictionary<string, long> Errors => errors;

    /// <summary>Sends one request of step <paramref name="step"/> and checks its status; false ends the iteration.</summary>
    public async Task<(bool Ok, Reply Reply)> Call(int step, int expectedStatus, HttpMethod method, string path, byte[]? json,
        AuthenticationHeaderValue? auth, string? ifNoneMatch = null, Func<Reply, string?>? check = null)
    {
        var reply = await Connection.Send(method, path, json, auth, ifNoneMatch);
        if (Recording)
        {
            stepLatency[step].Add(reply.ElapsedTicks);
        }

        var problem = reply.Status != expectedStatus
            ? $"step {step}: HTTP {reply.Status} {Code(reply)}"
            : check?.Invoke(reply) is { } why ? $"step {step}: {why}" : null;
        if (problem is not null)
        {
            Fail(problem);
            return (false, reply);
        }

        return (true, reply);
    }

    /// <summary>Like <see cref="Call"/> for a request built by the caller (a form post, for example).</summary>
    public async Task<(bool Ok, Reply Reply)> Call(int step, int expectedStatus, HttpRequestMessage request)
    {
        using (request)
        {
            var reply = await Connection.Send(request);
            if (Recording)
            {
                stepLatency[step].Add(reply.ElapsedTicks);
            }

            if (reply.Status != expectedStatus)
            {
                Fail($"step {step}: HTTP {reply.Status} {Code(reply)}");
                return (false, reply);
            }

            return (true, reply);
        }
    }

    public void Fail(string problem)
    {
        failed = true;
        if (Recording)
        {
            errors[problem] = errors.GetValueOrDefault(problem) + 1;
        }
    }

    internal void BeginIteration() => failed = false;

    internal void EndIteration(long elapsedTicks, bool inWindow)
    {
        if (!Recording || !inWindow)
        {
            return;
        }

        if (failed)
        {
            Failed++;
        }
        else
        {
            Ok++;
            Iterations.Add(elapsedTicks);
        }
    }

    private static string Code(Reply reply) =>
        reply.Status == 0 ? reply.Text.Split(':')[0] : reply.StringMember("code") ?? "";
}

/// <summary>The outcome of one measured run at one concurrency (or one rate).</summary>
public sealed record LoadResult(
    string Scenario,
    string Target,
    int Concurrency,
    double Seconds,
    long Ok,
    long Failed,
    double PerSecond,
    Latency Latency,
    IReadOnlyList<Latency> StepLatency,
    IReadOnlyDictionary<string, long> Errors,
    CpuUse Cpu,
    double? TargetRate = null,
    long Skipped = 0,
    string Generator = LoadResult.DotNetGenerator)
{
    /// <summary>The .NET load generator of this folder (bench/Load), as opposed to <see cref="WrkGenerator"/>.</summary>
    public const string DotNetGenerator = "bench/Load";

    public const string WrkGenerator = "wrk";

    /// <summary>A measured wrk run as a result row: its CPU is wrk's own plus this process's (idle meanwhile).</summary>
    public static LoadResult FromWrk(string scenario, string target, int concurrency, WrkSummary wrk, CpuUse cpu) =>
        new(scenario, target, concurrency, wrk.Seconds, wrk.Requests - wrk.Errors, wrk.Errors, wrk.PerSecond, wrk.Latency, [wrk.Latency],
            wrk.ErrorCounts, cpu with { LoadGeneratorCores = cpu.LoadGeneratorCores + wrk.CpuSeconds / Math.Max(wrk.Seconds, 1e-9) }, Generator: WrkGenerator);

    public string ErrorSummary => string.Join("; ", Errors.OrderByDescending(e => e.Value).Take(3).Select(e => $"{e.Key} ×{e.Value}")
        .Concat(Skipped > 0 ? [$"{Skipped} flows could not start on time (all connections busy)"] : []));
}

public static class ClosedLoop
{
    /// <summary>
    /// N workers, one connection each, each running <paramref name="iteration"/> back to back. Nothing is recorded
    /// during the warm-up; iterations that started in the measured window and ended before its end are counted.
    /// </summary>
    public static async Task<LoadResult> Run(string scenario, string target, string baseUrl, int concurrency, TimeSpan warmup, TimeSpan duration,
        int steps, Func<Worker, Task> iteration, CpuProbe cpu, Func<int, Worker, Task>? prepare = null)
    {
        var workers = Enumerable.Range(0, concurrency).Select(i => new Worker(i, new Connection(baseUrl), steps)).ToArray();
        try
        {
            if (prepare is not null)
            {
                await Task.WhenAll(workers.Select(w => prepare(w.Index, w)));
            }

            long windowStart = long.MaxValue, windowEnd = long.MaxValue;
            using var stop = new CancellationTokenSource();
            async Task Loop(Worker worker)
            {
                await Task.Yield();
                while (!stop.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    worker.Recording = started >= Volatile.Read(ref windowStart) && started < Volatile.Read(ref windowEnd);
                    worker.BeginIteration();
                    await iteration(worker);
                    var ended = Stopwatch.GetTimestamp();
                    worker.EndIteration(ended - started, ended <= Volatile.Read(ref windowEnd));
                }
            }

            var loops = workers.Select(w => Task.Run(() => Loop(w))).ToArray();
            await Task.Delay(warmup);
            var before = cpu.Sample();
            Volatile.Write(ref windowEnd, Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency));
            Volatile.Write(ref windowStart, Stopwatch.GetTimestamp());
            await Task.Delay(duration);
            var after = cpu.Sample();
            await stop.CancelAsync();
            await Task.WhenAll(loops);
            return Summarize(scenario, target, concurrency, duration.TotalSeconds, workers, steps, CpuProbe.Use(before, after));
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Connection.Dispose();
            }
        }
    }

    /// <summary>
    /// Open loop: starts an iteration every 1/rate seconds on a free connection from a pool. Latency counts from the
    /// moment the iteration was due, so a server that falls behind shows it (no coordinated omission); an iteration
    /// that finds every connection busy is counted as skipped.
    /// </summary>
    public static async Task<LoadResult> RunAtRate(string scenario, string target, string baseUrl, int pool, double rate, TimeSpan warmup,
        TimeSpan duration, int steps, Func<Worker, Task> iteration, CpuProbe cpu, Func<int, Worker, Task>? prepare = null)
    {
        var workers = Enumerable.Range(0, pool).Select(i => new Worker(i, new Connection(baseUrl), steps)).ToArray();
        try
        {
            if (prepare is not null)
            {
                await Task.WhenAll(workers.Select(w => prepare(w.Index, w)));
            }

            var free = new ConcurrentQueue<Worker>(workers);
            var running = new List<Task>();
            long skipped = 0;
            var total = warmup + duration;
            var t0 = Stopwatch.GetTimestamp();
            var windowStart = t0 + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
            var windowEnd = t0 + (long)(total.TotalSeconds * Stopwatch.Frequency);
            CpuSample? before = null;
            long issued = 0;
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= windowEnd)
                {
                    break;
                }

                if (before is null && now >= windowStart)
                {
                    before = cpu.Sample();
                }

                var due = (long)((now - t0) * rate / Stopwatch.Frequency) + 1;
                for (; issued < due; issued++)
                {
                    var dueAt = t0 + (long)(issued * Stopwatch.Frequency / rate);
                    var inWindow = dueAt >= windowStart;
                    if (!free.TryDequeue(out var worker))
                    {
                        if (inWindow)
                        {
                            skipped++;
                        }

                        continue;
                    }

                    running.Add(Task.Run(async () =>
                    {
                        worker.Recording = inWindow;
                        worker.BeginIteration();
                        await iteration(worker);
                        var ended = Stopwatch.GetTimestamp();
                        worker.EndIteration(ended - dueAt, true);
                        free.Enqueue(worker);
                    }));
                }

                if (running.Count > 4096)
                {
                    running.RemoveAll(t => t.IsCompleted);
                }

                await Task.Delay(1);
            }

            var after = cpu.Sample();
            await Task.WhenAll(running);
            return Summarize(scenario, target, pool, duration.TotalSeconds, workers, steps, CpuProbe.Use(before ?? after, after)) with
            {
                TargetRate = rate,
                Skipped = skipped,
            };
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Connection.Dispose();
            }
        }
    }

    private static LoadResult Summarize(string scenario, string target, int concurrency, double seconds, Worker[] workers, int steps, CpuUse cpu)
    {
        var errors = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in workers.SelectMany(w => w.Errors))
        {
            errors[key] = errors.GetValueOrDefault(key) + value;
        }

        var ok = workers.Sum(w => w.Ok);
        return new LoadResult(scenario, target, concurrency, seconds, ok, workers.Sum(w => w.Failed), ok / seconds,
            Recorder.Summarize(workers.Select(w => w.Iterations)),
            Enumerable.Range(0, steps).Select(s => Recorder.Summarize(workers.Select(w => w.Steps[s]))).ToList(),
            errors, cpu);
    }
}

/// <summary>Runs a bounded set of jobs with a fixed number of connections (setup, timeouts' checks).</summary>
public static class Batch
{
    public static async Task ForEach<T>(string baseUrl, IReadOnlyList<T> items, int connections, Func<Connection, T, Task> action)
    {
        var next = -1;
        var pool = Enumerable.Range(0, Math.Max(1, Math.Min(connections, items.Count))).Select(_ => new Connection(baseUrl)).ToArray();
        try
        {
            await Task.WhenAll(pool.Select(c => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < items.Count)
                {
                    await action(c, items[i]);
                }
            })));
        }
        finally
        {
            foreach (var c in pool)
            {
                c.Dispose();
            }
        }
    }
}
