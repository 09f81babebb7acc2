using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Widgets.Bench;

/// <summary>One request of a wrk run: what bench/wrk/requests.lua sends.</summary>
public sealed record WrkRequest(HttpMethod Method, string Path, byte[]? Json, AuthenticationHeaderValue? Auth, string? IfNoneMatch = null, string? FormBody = null);

/// <summary>What one wrk run printed (bench/wrk/requests.lua's summary line), plus the CPU wrk itself used.</summary>
public sealed record WrkSummary(
    long DurationUs,
    long Requests,
    long Bytes,
    long ConnectErrors,
    long ReadErrors,
    long WriteErrors,
    long StatusErrors,
    long Timeouts,
    long P50Us,
    long P90Us,
    long P99Us,
    long P999Us,
    long MaxUs,
    double MeanUs)
{
    public double Seconds => DurationUs / 1e6;

    public long Errors => ConnectErrors + ReadErrors + WriteErrors + StatusErrors + Timeouts;

    public double PerSecond => (Requests - Errors) / Math.Max(Seconds, 1e-9);

    /// <summary>CPU seconds wrk used (user + system), from the shell's <c>times</c> after it exited.</summary>
    public double CpuSeconds { get; init; }

    public Latency Latency => new(Requests - Errors, P50Us / 1000.0, P90Us / 1000.0, P99Us / 1000.0, P999Us / 1000.0, MaxUs / 1000.0, MeanUs / 1000.0);

    public IReadOnlyDictionary<string, long> ErrorCounts => new Dictionary<string, long>
    {
        ["HTTP status ≥ 400"] = StatusErrors,
        ["connect"] = ConnectErrors,
        ["socket read"] = ReadErrors,
        ["socket write"] = WriteErrors,
        ["no answer within the timeout"] = Timeouts,
    }.Where(e => e.Value > 0).ToDictionary();
}

/// <summary>
/// Drives the HTTP scenarios with wrk (Debian's C load generator, one thread): it takes a fraction of the CPU the
/// .NET load generator takes for the same rate, so on 2 cores it leaves the target (and the baseline) their share.
/// The requests come from a file written here and read by bench/wrk/requests.lua.
/// </summary>
public sealed partial class Wrk(string benchDirectory, string scratch)
{
    private static int fileCounter;
    private readonly List<string> files = [];

    private string Script => Path.Combine(benchDirectory, "wrk", "requests.lua");

    /// <summary>The requests file for <paramref name="requests"/> (sent in turn, or at random).</summary>
    public string WriteRequests(string name, IEnumerable<WrkRequest> requests)
    {
        var file = Path.Combine(scratch, $"wrk-{name}-{Environment.ProcessId}-{Interlocked.Increment(ref fileCounter)}.tsv");
        lock (files)
        {
            files.Add(file);
        }

        using var writer = new StreamWriter(file, append: false, new UTF8Encoding(false));
        foreach (var r in requests)
        {
            var headers = new List<string>();
            if (r.Json is not null)
            {
                headers.Add("Content-Type: application/json");
            }
            else if (r.FormBody is not null)
            {
                headers.Add("Content-Type: application/x-www-form-urlencoded");
            }

            if (r.Auth is not null)
            {
                headers.Add($"Authorization: {r.Auth.Scheme} {r.Auth.Parameter}");
            }

            if (r.IfNoneMatch is not null)
            {
                headers.Add($"If-None-Match: {r.IfNoneMatch}");
            }

            var body = r.Json is not null ? Encoding.UTF8.GetString(r.Json) : r.FormBody ?? "";
            if (body.Contains('\t') || body.Contains('\n') || headers.Any(h => h.Contains(" | ", StringComparison.Ordinal)))
            {
                throw new ArgumentException($"request {r.Path}: a body or header with a tab, newline or \" | \" cannot go into a wrk requests file");
            }

            writer.Write($"{r.Method.Method}\t{r.Path}\t{string.Join(" | ", headers)}\t{body}\n");
        }

        return file;
    }

    /// <summary>Runs wrk for whole <paramref name="seconds"/> (wrk counts in seconds) and returns its summary.</summary>
    public async Task<WrkSummary> Run(string baseUrl, int connections, int seconds, string requestsFile, bool random = false)
    {
        // One thread: the generator's CPU stays small and constant; `times` then reports wrk's own CPU.
        var command = $"wrk -t1 -c{connections} -d{seconds}s --timeout 10s -s {Quote(Script)} {Quote(baseUrl)} -- {Quote(requestsFile)}{(random ? " random" : "")}; code=$?; times; exit $code";
        var info = new ProcessStartInfo("/bin/bash") { WorkingDirectory = scratch };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        var (code, output) = await Tools.Run(info, TimeSpan.FromSeconds(seconds + 60));
        var json = output.Split('\n').FirstOrDefault(l => l.StartsWith("WRK_JSON ", StringComparison.Ordinal));
        if (code != 0 || json is null)
        {
            throw new InvalidOperationException($"wrk failed ({code}): {output.Trim()}");
        }

        var summary = JsonSerializer.Deserialize<WrkSummary>(json["WRK_JSON ".Length..], Options.Json)
            ?? throw new InvalidOperationException($"wrk printed no summary: {output}");
        return summary with { CpuSeconds = ChildCpuSeconds(output) };
    }

    /// <summary>Deletes the requests files written so far (they hold the run's bearer tokens).</summary>
    public void DeleteRequestFiles()
    {
        lock (files)
        {
            files.ForEach(File.Delete);
            files.Clear();
        }
    }

    /// <summary>Whether wrk is on the PATH (bench/run.sh installs Debian's package when it is missing).</summary>
    public static bool Installed() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "wrk")));

    /// <summary>bash's <c>times</c> prints the shell's user/system time, then its children's: "0m1.234s 0m0.567s".</summary>
    private static double ChildCpuSeconds(string output)
    {
        var lines = output.Split('\n').Where(l => TimesOutput().IsMatch(l.Trim())).ToList();
        if (lines.Count < 2)
        {
            return 0;
        }

        return TimesLine().Matches(lines[^1]).Sum(m =>
            double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * 60 + double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"(\d+)m([\d.]+)s")]
    private static partial Regex TimesLine();

    [GeneratedRegex(@"^\d+m[\d.]+s \d+m[\d.]+s$")]
    private static partial Regex TimesOutput();
}
