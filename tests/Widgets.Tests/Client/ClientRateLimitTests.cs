using System.Net;
using Widgets.Client;
using Widgets.Tests.Infrastructure;
using Widgets.Tests.Trust;
using Xunit;

namespace Widgets.Tests.Client;

/// <summary>
/// The client against a gateway with low rate limits (<see cref="AbuseLimitFixture"/>: 3 calls per second per terminal),
/// built with its plain constructor as a POS without dependency injection would.
/// </summary>
[Collection(AbuseLimitCollection.Name)]
public sealed class ClientRateLimitTests(AbuseLimitFixture gateway)
{
    [Fact]
    public async Task Calls_refused_with_429_are_retried_after_Retry_After_and_all_succeed_for_the_caller()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var wire = new WireLog();
        using var client = new WidgetsClient(Options(location), wire.Handler(new SocketsHttpHandler()));
        var started = await client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", WidgetId = widgetId });
        var burst = AbuseLimitFixture.PosPerTerminalPerSecond * 3;

        // Three times the terminal's budget at once: the caller sees every one succeed.
        var shown = await Task.WhenAll(Enumerable.Range(0, burst).Select(_ => client.ShowQrCodeAsync(new ShowQrCodeRequest
        {
            WidgetId = widgetId,
            SessionId = started.SessionId,
            PosLocationId = location.LocationId,
            TerminalId = "lane-1",
        })));

        Assert.Equal(burst, shown.Count(q => q.QrCodeHtmlLinkUrl.Length > 0));
        var calls = wire.Calls("widget/showQrCode");
        Assert.Equal(burst, calls.Count);
        var throttled = calls.Where(attempts => attempts.Any(a => a.Status == HttpStatusCode.TooManyRequests)).ToList();
        Assert.True(throttled.Count > 0, $"No call was refused; the limit was not reached:\n{wire.Describe()}");
        foreach (var attempts in calls)
        {
            Assert.True(attempts[^1].Status == HttpStatusCode.OK, string.Join("\n", attempts));
            foreach (var (refused, next) in attempts.Zip(attempts.Skip(1)))
            {
                // Each retry waited at least what the 429 asked (timer resolution aside).
                Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
                Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1), refused.ToString());
                Assert.True(refused.GapBefore(next) >= refused.RetryAfter - TimeSpan.FromMilliseconds(20),
                    $"Retried {refused.GapBefore(next).TotalMilliseconds:0} ms after a 429 with Retry-After {refused.RetryAfter!.Value.TotalSeconds:0} s:\n{string.Join("\n", attempts)}");
            }
        }
    }

    [Fact]
    public async Task A_429_asking_to_wait_longer_than_MaxRetryAfter_reaches_the_caller_as_rate_limited_with_its_Retry_After()
    {
        var location = await gateway.CreateLocationAsync();
        var widgetId = await location.CreateWidgetId();
        var wire = new WireLog();
        var options = Options(location);
        options.MaxRetryAfter = TimeSpan.FromMilliseconds(500);
        using var client = new WidgetsClient(options, wire.Handler(new SocketsHttpHandler()));
        var started = await client.StartSessionAsync(new StartSessionRequest { PosLocationId = location.LocationId, TerminalId = "lane-1", WidgetId = widgetId });
        var burst = AbuseLimitFixture.PosPerTerminalPerSecond * 3;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, burst).Select(async _ =>
        {
            try
            {
                await client.ShowQrCodeAsync(new ShowQrCodeRequest { WidgetId = widgetId, SessionId = started.SessionId, PosLocationId = location.LocationId, TerminalId = "lane-1" });
                return null;
            }
            catch (WidgetsUnavailableException refused)
            {
                return refused;
            }
        }));

        var refusals = outcomes.OfType<WidgetsUnavailableException>().ToList();
        Assert.NotEmpty(refusals);
        Assert.All(refusals, r =>
        {
            Assert.Equal((429, ProblemCodes.RateLimited), (r.Status, r.Code));
            Assert.True(r.RetryAfter >= TimeSpan.FromSeconds(1), r.Message);
        });

        // Not retried: one attempt per call.
        Assert.All(wire.Calls("widget/showQrCode"), attempts => Assert.Single(attempts));
    }

    private static WidgetsClientOptions Options(GatewayLocation location) => new()
    {
        BaseAddress = location.Gateway.BaseAddress,
        ClientId = location.PosClientId,
        ClientSecret = location.PosClientSecret,
        PosSystemId = location.PosSystemId,
    };
}
