using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Widgets.Bench;

/// <summary>CPU seconds at one instant: the server's processes, this load generator, and the whole machine.</summary>
public sealed record CpuSample(double ServerSeconds, double LoadSeconds, double MachineBusySeconds, double MachineTotalSeconds, long Timestamp);

/// <summary>CPU used during a window, in cores (1.0 = one core busy the whole window; this machine has 2).</summary>
public sealed record CpuUse(double ServerCores, double LoadGeneratorCores, double MachineCores, double MachineBusyPercent)
{
    public static readonly CpuUse None = new(0, 0, 0, 0);
}

public sealed class CpuProbe(Func<IReadOnlyList<int>> serverPids)
{
    private const double TicksPerSecond = 100.0; // USER_HZ on Linux

    public CpuSample Sample()
    {
        var server = serverPids().Sum(ProcessSeconds);
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var (busy, total) = Machine();
        return new CpuSample(server, self, busy, total, Stopwatch.GetTimestamp());
    }

    public static CpuUse Use(CpuSample a, CpuSample b)
    {
        var wall = (b.Timestamp - a.Timestamp) / (double)Stopwatch.Frequency;
        if (wall <= 0)
        {
            return CpuUse.None;
        }

        var machineTotal = b.MachineTotalSeconds - a.MachineTotalSeconds;
        var machineBusy = b.MachineBusySeconds - a.MachineBusySeconds;
        return new CpuUse((b.ServerSeconds - a.ServerSeconds) / wall, (b.LoadSeconds - a.LoadSeconds) / wall, machineBusy / wall,
            machineTotal > 0 ? 100 * machineBusy / machineTotal : 0);
    }

    /// <summary>utime + stime of a process, in seconds; 0 when it is gone.</summary>
    public static double ProcessSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return 0;
        }
    }

    /// <summary>The process and all its descendants (PostgreSQL's backends are children of the postmaster).</summary>
    public static IReadOnlyList<int> WithChildren(int pid)
    {
        var parents = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var p))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText($"{dir}/stat");
                var ppid = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
                (parents.TryGetValue(ppid, out var list) ? list : parents[ppid] = []).Add(p);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }

        var result = new List<int> { pid };
        for (var i = 0; i < result.Count; i++)
        {
            if (parents.TryGetValue(result[i], out var children))
            {
                result.AddRange(children);
            }
        }

        return result;
    }

    private static (double Busy, double Total) Machine()
    {
        var line = File.ReadLines("/proc/stat").First();
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var total = v.Take(8).Sum();
        var idle = v[3] + v[4];
        return ((total - idle) / TicksPerSecond, total / TicksPerSecond);
    }
}

/// <summary>A process's memory after a full, blocking GC, read from outside with dotnet-gcdump and dotnet-counters.</summary>
public sealed record MemorySample(
    long WorkingSetBytes,
    long GcdumpHeapBytes,
    long CountersHeapBytes,
    long CountersFragmentationBytes,
    IReadOnlyDictionary<string, (long Bytes, long Count)> Types)
{
    /// <summary>Live managed bytes: the heap size the runtime reports after the induced full GC, less fragmentation.</summary>
    public long ManagedBytes => CountersHeapBytes > 0 ? CountersHeapBytes - CountersFragmentationBytes : GcdumpHeapBytes;
}

public sealed partial class MemoryProbe(string toolsDirectory, string scratch, Action<string> log)
{
    public async Task<MemorySample> Measure(int pid, string label)
    {
        // dotnet-gcdump induces a full blocking GC and walks the heap (types and sizes); dotnet-counters then reads the
        // runtime's own heap-size figures of that last collection.
        var dump = Path.Combine(scratch, $"{label}-{pid}.gcdump");
        var (code, output) = await Tools.Run(toolsDirectory, TimeSpan.FromMinutes(5), "dotnet", "tool", "run", "dotnet-gcdump", "--", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dump);
        if (code != 0)
        {
            log($"dotnet-gcdump collect failed ({code}): {output}");
        }

        var working = WorkingSet(pid);
        var csv = Path.Combine(scratch, $"{label}-{pid}.csv");
        (code, output) = await Tools.Run(toolsDirectory, TimeSpan.FromMinutes(1), "dotnet", "tool", "run", "dotnet-counters", "--", "collect", "-p", pid.ToString(CultureInfo.InvariantCulture),
            "--counters", "System.Runtime", "--format", "csv", "-o", csv, "--refresh-interval", "1", "--duration", "00:00:03");
        if (code != 0)
        {
            log($"dotnet-counters collect failed ({code}): {output}");
        }

        var (heap, fragmentation) = ReadCounters(csv);
        var (total, types) = code == 0 || File.Exists(dump) ? await Report(dump) : (0, new Dictionary<string, (long, long)>());
        return new MemorySample(working, total, heap, fragmentation, types);
    }

    public static long WorkingSet(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private async Task<(long Total, Dictionary<string, (long Bytes, long Count)> Types)> Report(string dump)
    {
        var types = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        if (!File.Exists(dump))
        {
            return (0, types);
        }

        var (code, output) = await Tools.Run(toolsDirectory, TimeSpan.FromMinutes(5), "dotnet", "tool", "run", "dotnet-gcdump", "--", "report", dump);
        if (code != 0)
        {
            log($"dotnet-gcdump report failed ({code})");
            return (0, types);
        }

        await File.WriteAllTextAsync(Path.ChangeExtension(dump, ".txt"), output);
        long total = 0;
        foreach (var line in output.Split('\n'))
        {
            if (TotalLine().Match(line) is { Success: true } t)
            {
                total = ParseNumber(t.Groups[1].Value);
            }
            else if (TypeLine().Match(line) is { Success: true } m)
            {
                // Big arrays are listed in size classes ("(Bytes > 1M)"): fold them into their type.
                var name = SizeClass().Replace(m.Groups[3].Value.Trim(), "");
                // The report gives the average size of one object of the type and the number of objects.
                var (bytes, count) = types.GetValueOrDefault(name);
                var objects = ParseNumber(m.Groups[2].Value);
                types[name] = (bytes + ParseNumber(m.Groups[1].Value) * objects, count + objects);
            }
        }

        File.Delete(dump);
        return (total, types);
    }

    private static (long Heap, long Fragmentation) ReadCounters(string csv)
    {
        if (!File.Exists(csv))
        {
            return (0, 0);
        }

        // Keep the last value of each per-generation series.
        var heap = new Dictionary<string, long>();
        var fragmentation = new Dictionary<string, long>();
        foreach (var line in File.ReadLines(csv).Skip(1))
        {
            var parts = line.Split(',');
            if (parts.Length < 5 || !double.TryParse(parts[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = parts[2];
            if (name.StartsWith("dotnet.gc.last_collection.heap.size", StringComparison.Ordinal))
            {
                heap[name] = (long)value;
            }
            else if (name.StartsWith("dotnet.gc.last_collection.heap.fragmentation.size", StringComparison.Ordinal))
            {
                fragmentation[name] = (long)value;
            }
        }

        File.Delete(csv);
        return (heap.Values.Sum(), fragmentation.Values.Sum());
    }

    private static long ParseNumber(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap bytes")]
    private static partial Regex TotalLine();

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(.+?)\s+\[[^\]]*\]\s*$")]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\s*\(Bytes > [^)]*\)")]
    private static partial Regex SizeClass();
}

public static class Tools
{
    /// <summary>Runs a command to completion (bounded), returning its exit code and combined output.</summary>
    public static async Task<(int Code, string Output)> Run(string workingDirectory, TimeSpan timeout, string file, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return await Run(info, timeout);
    }

    public static async Task<(int Code, string Output)> Run(ProcessStartInfo info, TimeSpan timeout)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
