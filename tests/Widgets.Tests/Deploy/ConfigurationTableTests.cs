using System.Reflection;
using System.Text.RegularExpressions;
using Widgets.Gateway.Http;
using Widgets.Grains;
using Widgets.Hosting;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Deploy;

/// <summary>
/// Every key an options class binds (a class with a <c>Section</c> constant, in any of our assemblies) is in the
/// README's configuration tables: operators read the table, not the code. Keys read one by one
/// (<c>GetValue("Widgets:WarmUp:Enabled")</c>) are not found this way; the table lists them by hand.
/// </summary>
public sealed partial class ConfigurationTableTests
{
    [Fact]
    public void Every_bound_configuration_key_is_in_the_README_table()
    {
        var documented = DocumentedKeys();
        var bound = new[] { typeof(ClusterSettings), typeof(SessionOptions), typeof(RateLimits) }
            .SelectMany(anchor => anchor.Assembly.GetTypes())
            .Select(type => (type, section: type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(options => options.section is not null)
            .SelectMany(options => Keys(options.section!, options.type))
            .ToList();

        Assert.NotEmpty(bound);
        var missing = bound.Where(key => !documented.Contains(key)).ToList();
        Assert.True(missing.Count == 0, $"README.md's configuration table lacks: {string.Join(", ", missing)}");
    }

    /// <summary>The keys a type binds under <paramref name="prefix"/>: its settable properties, nested classes expanded.</summary>
    private static IEnumerable<string> Keys(string prefix, Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true })
            .SelectMany(p => IsLeaf(p.PropertyType) ? [$"{prefix}:{p.Name}"] : Keys($"{prefix}:{p.Name}", p.PropertyType));

    /// <summary>One value (numbers, times, enums, strings) or a list of them (<c>:0</c>, <c>:1</c>, …).</summary>
    private static bool IsLeaf(Type type) => type.IsValueType || typeof(System.Collections.IEnumerable).IsAssignableFrom(type);

    /// <summary>
    /// The keys in the first column of the README's configuration tables. A row may shorten keys after the first:
    /// <c>`Widgets:Sessions:DefaultTimeoutSeconds` / `MinTimeoutSeconds`</c>; <c>:N</c> (list items) and <c>:*</c> end none.
    /// </summary>
    private static HashSet<string> DocumentedKeys()
    {
        var readme = File.ReadAllText(Path.Combine(ProcessCluster.RepositoryRoot, "README.md"));
        var start = readme.IndexOf("## Configuration", StringComparison.Ordinal);
        var section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in section.Split('\n').Where(line => line.StartsWith("| `", StringComparison.Ordinal)))
        {
            string? prefix = null;
            foreach (Match code in Code().Matches(row.Split('|')[1]))
            {
                var key = ItemOrWildcard().Replace(code.Groups[1].Value, "");
                prefix = key.Contains(':', StringComparison.Ordinal) ? key[..key.LastIndexOf(':')] : prefix;
                keys.Add(key.Contains(':', StringComparison.Ordinal) || prefix is null ? key : $"{prefix}:{key}");
            }
        }

        return keys;
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();

    [GeneratedRegex(@":(N|\*)$")]
    private static partial Regex ItemOrWildcard();
}
