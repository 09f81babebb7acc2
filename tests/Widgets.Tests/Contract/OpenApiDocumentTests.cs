using System.Text.Json.Nodes;
using Widgets.Tests.Infrastructure;
using Xunit;

namespace Widgets.Tests.Contract;

/// <summary>
/// The OpenAPI document as an integrator's tools read it: the one the gateway serves, the copy written at build into
/// docs/, and what Redocly's recommended rules say of it.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiDocumentTests(GatewayFixture gateway)
{
    private static readonly string[] JsonBodyTypes = ["application/json", "application/json-patch+json"];

    /// <summary>Routes for people or machines of our own, never in the integrators' document.</summary>
    private static readonly string[] InternalPrefixes = ["/dashboard", "/webhooks", "/console", "/u/", "/metrics", "/screen/", "/icons/"];

    /// <summary>
    /// Compared with the committed copy, not the file on disk: every build rewrites docs/openapi.json, so the file on
    /// disk always matches the code being tested, and only the commit can be stale.
    /// </summary>
    [Fact]
    public async Task Document_committed_in_docs_is_the_one_the_gateway_serves()
    {
        var served = await Served();
        var committed = JsonNode.Parse(await Committed("docs/openapi.json"))!;

        Assert.True(JsonNode.DeepEquals(served, committed),
            "docs/openapi.json as committed is stale: build the gateway (dotnet build gateway), which rewrites it, and commit docs/openapi.json.");
    }

    [Fact]
    public async Task Redocly_lint_with_its_recommended_rules_finds_no_error()
    {
        var file = Path.Combine(Path.GetTempPath(), $"widgets-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, (await Served()).ToJsonString());
        try
        {
            var (exitCode, output) = await ConformanceTools.RunAsync("redocly", TimeSpan.FromMinutes(2), "lint", file, "--format=summary");

            Assert.True(exitCode == 0 && output.Contains("Your API description is valid", StringComparison.Ordinal), $"redocly lint failed:\n{output}");
            Assert.DoesNotContain("\nerror ", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Every_operation_has_an_id_summary_description_tag_security_and_its_problem_responses()
    {
        var document = await Served();
        var tags = document["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToHashSet();
        var gaps = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            Assert.False(InternalPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal)), $"{path} is not for integrators");
            foreach (var (method, node) in item!.AsObject())
            {
                var operation = node!.AsObject();
                var name = $"{method.ToUpperInvariant()} {path}";
                foreach (var field in new[] { "operationId", "summary", "description", "tags", "security" })
                {
                    if (operation[field] is null)
                    {
                        gaps.Add($"{name}: no {field}");
                    }
                }

                if (operation["tags"]?.AsArray().Any(t => !tags.Contains(t!.GetValue<string>())) == true)
                {
                    gaps.Add($"{name}: a tag without a description");
                }

                var responses = operation["responses"]!.AsObject();
                var probe = operation["tags"]?.AsArray().Any(t => t!.GetValue<string>() == "Operations") == true; // health probes refuse nothing
                if (!probe && !responses.Any(r => r.Key.StartsWith('4')))
                {
                    gaps.Add($"{name}: no 4xx response");
                }

                // A gateway still joining the cluster, or failing over, answers 503 on everything but the probes.
                if (!probe && !responses.ContainsKey("503"))
                {
                    gaps.Add($"{name}: no 503 (unavailable)");
                }

                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                {
                    var content = response!["content"]?.AsObject();
                    if (content is null || !content.Any(c => c.Key is "application/problem+json" or "text/html"))
                    {
                        gaps.Add($"{name}: {status} is not problem+json");
                    }
                }

                if (operation["requestBody"]?["content"]?.AsObject() is { } bodies && bodies.Any(b => b.Key.Contains("json", StringComparison.Ordinal))
                    && !JsonBodyTypes.All(bodies.ContainsKey))
                {
                    gaps.Add($"{name}: the body is not described for both {string.Join(" and ", JsonBodyTypes)}");
                }
            }
        }

        Assert.True(gaps.Count == 0, string.Join('\n', gaps));
    }

    [Fact]
    public async Task Pos_calls_document_their_bodies_headers_security_and_error_codes_as_ClearLine_sends_them()
    {
        var paths = (await Served())["paths"]!;
        var start = paths["/v2/pos/{posSystemId}/widget/start"]!["post"]!;
        var list = paths["/v2/pos/{posSystemId}/widgets/list"]!["post"]!;
        var replace = paths["/v2/admin/pos/{posSystemId}/locations/{posLocationId}/widgets/{widgetId}"]!["put"]!;
        var token = paths["/connect/token"]!["post"]!;

        Assert.Equal("pos_integration", start["security"]![0]!["oauth2"]![0]!.GetValue<string>());
        Assert.Equal("widgets_admin", replace["security"]![0]!["oauth2"]![0]!.GetValue<string>());
        Assert.NotNull(token["security"]![0]!["clientBasic"]);
        Assert.Contains(start["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header");
        Assert.Contains(list["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "If-None-Match");
        Assert.NotNull(list["responses"]!["200"]!["headers"]!["ETag"]);
        Assert.NotNull(list["responses"]!["304"]);
        Assert.Contains(replace["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "If-Match");
        Assert.NotNull(replace["responses"]!["412"]);
        Assert.Contains("terminal_not_found", start["responses"]!["404"]!["description"]!.GetValue<string>());
        Assert.NotNull(start["responses"]!["429"]!["headers"]!["Retry-After"]);
        var clearline = start["requestBody"]!["content"]!["application/json-patch+json"]!["examples"]!["clearline"]!["value"]!;
        Assert.Equal("1", clearline["widgetId"]!.GetValue<string>());
        Assert.Equal(["posLocationId", "terminalId", "widgetId"], RequiredOf(await Served(), "StartSessionRequest"));
    }

    private static async Task<string> Committed(string path)
    {
        var git = new System.Diagnostics.ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = ConformanceTools.Root };
        foreach (var argument in new[] { "-c", "safe.directory=*", "show", $"HEAD:{path}" })
        {
            git.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(git)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"git show HEAD:{path} failed (the tests run in the repository's clone): {error}");
        return await output;
    }

    private static string[] RequiredOf(JsonNode document, string schema) =>
        document["components"]!["schemas"]![schema]!["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();

    private async Task<JsonNode> Served()
    {
        using var client = gateway.Anonymous();
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
    }
}
