using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Widgets.Tests.Cluster;
using Widgets.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Widgets.Tests.Telemetry;

/// <summary>
/// Telemetry as an operator meets it, on the embedded gateway as a process of its own: <c>/metrics</c> scraped over
/// HTTP after a POS flow, traces received by an OTLP/HTTP receiver, and the console log as JSON.
/// </summary>
[Collection(ClusterFaultCollection.Name)]
public sealed partial class TelemetryTests(ITestOutputHelper output)
{
    private const string Pos = "/v2/pos/demo";
    private const string Admin = "/v2/admin/pos/demo/locations/store-1";
    private const string Phone = "+14155550042";
    private const string Email = "ann.telemetry@example.com";
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Metrics_count_a_POS_flow_by_step_channel_outcome_and_end_reason_and_no_label_names_a_customer()
    {
        await using var twilio = FakeTwilio.Start();
        await using var gateway = EmbeddedGatewayProcess.Create(new Dictionary<string, string>(TwilioSettings(twilio))
        {
            // The second text to the same phone today is withheld: a suppressed send.
            ["Messaging:DailyLimitPerRecipient"] = "1",
            ["Widgets:Sessions:StatsFlushInterval"] = "00:00:01",
        }, output.WriteLine);
        await gateway.StartAsync();
        var widgetId = await SetUpAsync(gateway, "lane-a", "lane-b");
        string first, second;
        var listSize = 0;
        using (var pos = await PosClientAsync(gateway))
        {
            for (var i = 0; i < 4; i++)
            {
                listSize = (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widgets/list", new { posLocationId = "store-1", terminalId = "lane-a", context = "checkout" })).AsArray().Count;
            }

            first = await StartAsync(pos, "lane-a", widgetId);
            await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/showQrCode", Interaction(first, "lane-a", widgetId, Phone, Email));
            var sent = await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", Interaction(first, "lane-a", widgetId, Phone, Email));
            Assert.All(sent["messages"]!.AsArray(), m => Assert.Equal("sent", m!["status"]!.GetValue<string>()));

            second = await StartAsync(pos, "lane-b", widgetId);
            var withheld = await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", Interaction(second, "lane-b", widgetId, Phone, ""));
            Assert.Equal("suppressed", withheld["messages"]!.AsArray().Single()!["status"]!.GetValue<string>());
            await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sessions/{second}/cancel");
        }

        using var scraper = new HttpClient { BaseAddress = gateway.BaseAddress };
        var loyalty = new Dictionary<string, string> { ["widget_type"] = "loyaltyEnrollment" };
        var metrics = await Eventually.Returns(async () => Scrape(await scraper.GetStringAsync("/metrics")),
            m => m.Sum("widgets_funnel_steps_total", new() { ["step"] = "listed", ["context"] = "checkout" }) >= 4 * listSize
                && m.Sum("widgets_sessions_ended_total", new() { ["reason"] = "cancelled" }) >= 1,
            Soon, "the listed counts of four lists and the cancelled session on /metrics");

        Assert.Equal(4 * listSize, metrics.Sum("widgets_funnel_steps_total", new() { ["step"] = "listed", ["context"] = "checkout" }));
        Assert.Equal(2, metrics.Sum("widgets_funnel_steps_total", new(loyalty) { ["step"] = "started" }));
        Assert.Equal(1, metrics.Sum("widgets_funnel_steps_total", new(loyalty) { ["step"] = "qrShown" }));
        Assert.Equal(2, metrics.Sum("widgets_funnel_steps_total", new(loyalty) { ["step"] = "messagesSent" }));
        Assert.Equal(1, metrics.Sum("widgets_funnel_steps_total", new(loyalty) { ["step"] = "cancelled" }));
        Assert.Equal(1, metrics.Sum("widgets_messages_total", new() { ["channel"] = "sms", ["outcome"] = "sent" }));
        Assert.Equal(1, metrics.Sum("widgets_messages_total", new() { ["channel"] = "email", ["outcome"] = "sent" }));
        Assert.Equal(1, metrics.Sum("widgets_messages_total", new() { ["channel"] = "sms", ["outcome"] = "suppressed" }));
        Assert.Equal(1, metrics.Sum("widgets_sessions_ended_total", new(loyalty) { ["reason"] = "cancelled" }));

        // HTTP by route template, Orleans' own meters, the runtime.
        Assert.True(metrics.Sum("http_server_request_duration_seconds_count", new() { ["http_route"] = "/v2/pos/{posSystemId}/widgets/list" }) >= 4);
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal));
        Assert.Contains(metrics.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));

        var personal = new[] { first, second, Phone, Phone[1..], Email, "@" };
        var leaks = metrics.Samples.SelectMany(s => s.Labels.Values).Distinct().Where(v => personal.Any(p => v.Contains(p, StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.True(leaks.Count == 0, "Label values that name a session or a customer: " + string.Join(", ", leaks));
    }

    [Fact]
    public async Task Traces_of_a_POS_request_reach_an_OTLP_receiver_through_the_grain_calls_to_storage_and_the_SMS_hand_off()
    {
        await using var twilio = FakeTwilio.Start();
        await using var receiver = OtlpReceiver.Start();
        await using var gateway = EmbeddedGatewayProcess.Create(new Dictionary<string, string>(TwilioSettings(twilio))
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
        }, output.WriteLine);
        await gateway.StartAsync();
        var widgetId = await SetUpAsync(gateway, "lane-t");
        using (var pos = await PosClientAsync(gateway))
        {
            var sessionId = await StartAsync(pos, "lane-t", widgetId);
            await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/sendMessage", Interaction(sessionId, "lane-t", widgetId, Phone, ""));
        }

        var trace = await Eventually.Returns(() => Task.FromResult(SendTrace(receiver.Spans)), t => t is not null, Soon,
            "the sendMessage request's trace with its grain call, a storage write and the SMS hand-off");
        output.WriteLine(string.Join("\n", trace!.Select(s => $"{s.Scope}: {s.Name}")));
        var request = trace!.Single(s => s.Name == "POST /v2/pos/{posSystemId}/widget/sendMessage");
        Assert.Equal("", request.ParentSpanId.Trim('0'));
        Assert.Contains(trace!, s => s.Scope == "Microsoft.Orleans.Application" && s.Name.EndsWith("/SendMessage", StringComparison.Ordinal));
        Assert.Contains(trace!, s => s.Scope == "Microsoft.Orleans.Storage" && s.Name.Contains("write", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(trace!, s => s.Scope == "Widgets" && s.Name == "send sms");
        await Eventually.Holds(() => Task.FromResult(receiver.MetricExports > 0), Soon, "a metrics export by OTLP");
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_with_the_start_up_line_first_and_telemetry_switches_off()
    {
        await using var gateway = EmbeddedGatewayProcess.Create(new Dictionary<string, string>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Telemetry:Enabled"] = "false",
        }, output.WriteLine);
        await gateway.StartAsync();
        using (var pos = await PosClientAsync(gateway))
        {
            await pos.DataAsync(HttpMethod.Post, $"{Pos}/widgets/list", new { posLocationId = "store-1" });
        }

        using var scraper = new HttpClient { BaseAddress = gateway.BaseAddress };
        Assert.Equal(HttpStatusCode.NotFound, (await scraper.GetAsync("/metrics")).StatusCode);

        var lines = gateway.Output.Split('\n').Where(l => l.Length > 0).ToList();
        Assert.True(lines.Count > 20, $"only {lines.Count} lines");
        var records = lines.Select(l =>
        {
            try
            {
                return JsonNode.Parse(l) as JsonObject ?? throw new JsonException("not an object");
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException($"Not one JSON object: {l}");
            }
        }).ToList();
        var banner = records.FindIndex(r => r["Category"]?.GetValue<string>() == "Widgets.Hosting.Telemetry.StartupBanner");
        Assert.InRange(banner, 0, 19);
        var message = records[banner]["Message"]!.GetValue<string>();
        Assert.Contains("Embedded mode", message, StringComparison.Ordinal);
        Assert.Contains("metrics off", message, StringComparison.Ordinal);
        Assert.DoesNotContain(records, r => r["Category"]?.GetValue<string>() == "Orleans.Runtime.SiloOptionsLogger");
    }

    /// <summary>The spans of the trace whose root is a sendMessage request, once it holds every span the test expects.</summary>
    private static List<ReceivedSpan>? SendTrace(IReadOnlyList<ReceivedSpan> spans) =>
        spans.Where(s => s.Name == "POST /v2/pos/{posSystemId}/widget/sendMessage")
            .Select(root => spans.Where(s => s.TraceId == root.TraceId).ToList())
            .FirstOrDefault(t => t.Any(s => s.Name == "send sms") && t.Any(s => s.Scope == "Microsoft.Orleans.Storage")
                && t.Any(s => s.Scope == "Microsoft.Orleans.Application"));

    private static Dictionary<string, string> TwilioSettings(FakeTwilio twilio) => new()
    {
        ["Sms:Twilio:AccountSid"] = FakeTwilio.AccountSid,
        ["Sms:Twilio:AuthToken"] = FakeTwilio.AuthToken,
        ["Sms:Twilio:From"] = FakeTwilio.From,
        ["Sms:Twilio:BaseUrl"] = twilio.BaseUrl,
    };

    private static async Task<int> SetUpAsync(EmbeddedGatewayProcess gateway, params string[] lanes)
    {
        using var admin = await GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.AdminClientId, EmbeddedGatewayProcess.AdminClientSecret, "widgets_admin");
        foreach (var lane in lanes)
        {
            await admin.DataAsync(HttpMethod.Put, $"{Admin}/terminals/{lane}", new { name = lane });
        }

        return (await admin.DataAsync(HttpMethod.Post, $"{Admin}/widgets", GatewayLocation.Draft("Telemetry rewards"), status: 201))["id"]!.GetValue<int>();
    }

    private static Task<GatewayClient> PosClientAsync(EmbeddedGatewayProcess gateway) =>
        GatewayClient.SignInAsync(gateway.BaseAddress, EmbeddedGatewayProcess.PosClientId, EmbeddedGatewayProcess.PosClientSecret, "pos_integration");

    private static async Task<string> StartAsync(GatewayClient pos, string lane, int widgetId) =>
        (await pos.DataAsync(HttpMethod.Post, $"{Pos}/widget/start", new { posLocationId = "store-1", terminalId = lane, widgetId }))["sessionId"]!.GetValue<string>();

    private static object Interaction(string sessionId, string lane, int widgetId, string phone, string email) => new
    {
        widgetId,
        sessionId,
        posLocationId = "store-1",
        terminalId = lane,
        profile = new { firstName = "Ann", lastName = "", customerEmail = email, customerPhone = phone, salesPerson = "" },
    };

    private static Scraped Scrape(string text) => new(text.Split('\n')
        .Where(l => l.Length > 0 && l[0] != '#')
        .Select(l => Sample().Match(l))
        .Where(m => m.Success)
        .Select(m => new MetricSample(
            m.Groups["name"].Value,
            Label().Matches(m.Groups["labels"].Value).ToDictionary(l => l.Groups["key"].Value, l => l.Groups["value"].Value),
            double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture)))
        .ToList());

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)")]
    private static partial Regex Sample();

    [GeneratedRegex(@"(?<key>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();

    private sealed record MetricSample(string Name, Dictionary<string, string> Labels, double Value);

    private sealed record Scraped(IReadOnlyList<MetricSample> Samples)
    {
        /// <summary>The sum of <paramref name="name"/> over the series whose labels include <paramref name="labels"/>.</summary>
        public double Sum(string name, Dictionary<string, string> labels) => Samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
            .Sum(s => s.Value);
    }
}
