using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Widgets.Tests.Cluster;

/// <summary>
/// Steady POS traffic against a gateway: one loop per terminal, each doing what a lane does at checkout (list the
/// widgets, start a session, show the QR code, send the link by email to a recipient of its own). Like a POS it
/// retries a 503 after its <c>Retry-After</c>, with the same body; anything else that is not 2xx, a missing
/// <c>Retry-After</c>, or a request that gets no answer within <see cref="GatewayClient.RequestTimeout"/> is recorded
/// as unexpected. Every exchange is kept, so a test can measure how long lanes could not work.
/// With several gateways the lanes are spread over them and behave as behind a load balancer with passive health
/// checks: a request that gets no answer (refused, or none within the client's timeout) is sent again at once
/// through the next gateway, and the lane stays there.
/// </summary>
internal sealed class PosTraffic
{
    /// <summary>How often a lane starts a new checkout: three calls per checkout stay under the gateway's per-terminal limit (10/s).</summary>
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a lane keeps retrying one request that gets 503s before giving up on it.</summary>
    private static readonly TimeSpan RetryLimit = TimeSpan.FromSeconds(60);

    private readonly ConcurrentQueue<Exchange> exchanges = new();
    private readonly ConcurrentQueue<string> unexpected = new();
    private readonly ConcurrentQueue<string> failovers = new();
    private readonly ConcurrentQueue<StartedSession> sessions = new();
    private readonly ConcurrentQueue<AcknowledgedMessage> messages = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> checkouts = new();
    private readonly CancellationTokenSource stop = new();
    private readonly IReadOnlyList<GatewayClient> gateways;
    private readonly string posSystemId;
    private readonly string locationId;
    private readonly IReadOnlyList<string> lanes;
    private readonly ConcurrentDictionary<string, int> laneGateway = new();
    private Task running = Task.CompletedTask;

    public PosTraffic(GatewayClient pos, string posSystemId, string locationId, IReadOnlyList<string> lanes)
        : this([pos], posSystemId, locationId, lanes)
    {
    }

    public PosTraffic(IReadOnlyList<GatewayClient> gateways, string posSystemId, string locationId, IReadOnlyList<string> lanes)
    {
        this.gateways = gateways;
        this.posSystemId = posSystemId;
        this.locationId = locationId;
        this.lanes = lanes;
        for (var i = 0; i < lanes.Count; i++)
        {
            laneGateway[lanes[i]] = i % gateways.Count;
        }
    }

    public IReadOnlyList<Exchange> Exchanges => exchanges.ToArray();

    /// <summary>What went wrong in a way a POS must never see: a 500, a hang, a 503 without Retry-After, a 4xx.</summary>
    public IReadOnlyList<string> Unexpected => unexpected.ToArray();

    public IReadOnlyList<StartedSession> Sessions => sessions.ToArray();

    /// <summary>Requests a lane sent again through another gateway because the first gave no answer.</summary>
    public IReadOnlyList<string> Failovers => failovers.ToArray();

    public IReadOnlyList<AcknowledgedMessage> Messages => messages.ToArray();

    public void Start() => running = Task.WhenAll(lanes.Select(RunLane));

    /// <summary>Every lane back on its own gateway, as a load balancer does once a gateway passes its health checks again.</summary>
    public void Rebalance()
    {
        for (var i = 0; i < lanes.Count; i++)
        {
            laneGateway[lanes[i]] = i % gateways.Count;
        }
    }

    /// <summary>Checkouts a lane completed (list, start, QR, message all answered) that began at or after <paramref name="since"/>.</summary>
    public int CompletedCheckouts(string lane, DateTimeOffset since) =>
        checkouts.TryGetValue(lane, out var started) ? started.Count(at => at >= since) : 0;

    /// <summary>Lets every lane finish the checkout it is in and stops.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        await running;
    }

    /// <summary>
    /// Per lane, the longest time from a failed request until the lane's next answered one (the lane could not
    /// work meanwhile); a window still open at the end counts up to the last exchange.
    /// </summary>
    public (TimeSpan Longest, string Lane, DateTimeOffset From) LongestErrorWindow() => LongestErrorWindow(DateTimeOffset.MinValue, DateTimeOffset.MaxValue);

    /// <summary>As <see cref="LongestErrorWindow()"/>, over the exchanges sent between <paramref name="sentFrom"/> and <paramref name="sentTo"/>.</summary>
    public (TimeSpan Longest, string Lane, DateTimeOffset From) LongestErrorWindow(DateTimeOffset sentFrom, DateTimeOffset sentTo)
    {
        var longest = (TimeSpan.Zero, "", DateTimeOffset.MinValue);
        foreach (var lane in exchanges.Where(e => e.At >= sentFrom && e.At <= sentTo).GroupBy(e => e.Lane))
        {
            DateTimeOffset? openedAt = null;
            var ordered = lane.OrderBy(e => e.At).ToList();
            foreach (var exchange in ordered)
            {
                if (!exchange.Succeeded)
                {
                    openedAt ??= exchange.At;
                    continue;
                }

                if (openedAt is { } from && exchange.At + exchange.Took - from > longest.Item1)
                {
                    longest = (exchange.At + exchange.Took - from, lane.Key, from);
                }

                openedAt = null;
            }

            if (openedAt is { } open && ordered[^1].At + ordered[^1].Took - open > longest.Item1)
            {
                longest = (ordered[^1].At + ordered[^1].Took - open, lane.Key, open);
            }
        }

        return longest;
    }

    private async Task RunLane(string lane)
    {
        // Off the test's thread: the lanes run concurrently.
        await Task.Yield();
        using var pace = new PeriodicTimer(Pace);
        var checkout = 0;
        while (!stop.IsCancellationRequested)
        {
            var began = DateTimeOffset.UtcNow;
            if (await CheckoutAsync(lane, ++checkout))
            {
                checkouts.GetOrAdd(lane, _ => new()).Enqueue(began);
            }

            try
            {
                await pace.WaitForNextTickAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<bool> CheckoutAsync(string lane, int checkout)
    {
        var listed = await CallAsync(lane, "list", "widgets/list", new { posLocationId = locationId, terminalId = lane });
        if (listed is null)
        {
            return false;
        }

        var emailWidgets = listed.Data.AsArray()
            .Where(w => w!["channels"]!.AsArray().Any(c => c!.GetValue<string>() == "email"))
            .Select(w => w!["id"]!.GetValue<int>())
            .ToList();
        if (emailWidgets.Count == 0)
        {
            unexpected.Enqueue($"{lane}: no widget offers email in {listed.Body}");
            return false;
        }

        var widgetId = emailWidgets[checkout % emailWidgets.Count];
        var started = await CallAsync(lane, "start", "widget/start", new { posLocationId = locationId, terminalId = lane, widgetId = widgetId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        if (started is null)
        {
            return false;
        }

        var sessionId = started.Data["sessionId"]!.GetValue<string>();
        sessions.Enqueue(new StartedSession(sessionId, lane, widgetId));
        var interaction = new
        {
            widgetId,
            sessionId,
            posLocationId = locationId,
            terminalId = lane,
            profile = new { firstName = "Pat", lastName = "", customerEmail = "", customerPhone = "", salesPerson = lane },
        };
        if (await CallAsync(lane, "showQrCode", "widget/showQrCode", interaction) is null)
        {
            return false;
        }

        // A recipient of its own per send: a second email to it can only be a duplicate.
        var recipient = $"{lane}.{checkout}.{Guid.NewGuid().ToString("N")[..8]}@shop.test";
        var sent = await CallAsync(lane, "sendMessage", "widget/sendMessage", new
        {
            widgetId,
            sessionId,
            posLocationId = locationId,
            terminalId = lane,
            channel = "email",
            profile = new { firstName = "Pat", lastName = "", customerEmail = recipient, customerPhone = "", salesPerson = lane },
        });
        if (sent is null)
        {
            return false;
        }

        foreach (var message in sent.Data["messages"]!.AsArray())
        {
            messages.Enqueue(new AcknowledgedMessage(sessionId, recipient, message!["messageId"]!.GetValue<string>(), message["status"]!.GetValue<string>()));
        }

        return true;
    }

    /// <summary>One POS request, retried after each 503's Retry-After; null when it did not succeed.</summary>
    private async Task<GatewayReply?> CallAsync(string lane, string operation, string path, object body)
    {
        var giveUpAt = DateTimeOffset.UtcNow + RetryLimit;
        while (true)
        {
            var at = DateTimeOffset.UtcNow;
            var pos = gateways[laneGateway[lane]];
            GatewayReply? reply = null;
            string? failure = null;
            try
            {
                reply = await pos.PostAsync($"/v2/pos/{posSystemId}/{path}", body);
            }
            catch (TaskCanceledException)
            {
                failure = $"no answer within {pos.Timeout.TotalSeconds:0} s";
            }
            catch (HttpRequestException ex)
            {
                failure = $"connection failed: {ex.Message}";
            }

            var took = DateTimeOffset.UtcNow - at;
            exchanges.Enqueue(new Exchange(lane, operation, at, took, reply?.Status, reply?.RetryAfter, pos.Gateway.Authority));
            if (reply is { IsSuccess: true })
            {
                return reply;
            }

            if (reply is null && gateways.Count > 1 && DateTimeOffset.UtcNow < giveUpAt)
            {
                // The load balancer's passive health check: no answer from this gateway, so the next one gets it.
                laneGateway[lane] = (laneGateway[lane] + 1) % gateways.Count;
                failovers.Enqueue($"{at:HH:mm:ss.fff} {lane} {operation} via {pos.Gateway.Authority}: {failure}");
                continue;
            }

            if (reply is { Status: 503, RetryAfter: { } retryAfter } && DateTimeOffset.UtcNow + retryAfter < giveUpAt)
            {
                // The POS does what the 503 asks: wait Retry-After, then send the same request again.
                await Task.Delay(retryAfter);
                continue;
            }

            unexpected.Enqueue($"{at:HH:mm:ss.fff} {lane} {operation}: {failure ?? reply!.ToString()}");
            return null;
        }
    }
}

/// <summary>One HTTP exchange of the traffic; <see cref="Status"/> is null when no answer came.</summary>
internal sealed record Exchange(string Lane, string Operation, DateTimeOffset At, TimeSpan Took, int? Status, TimeSpan? RetryAfter, string? Gateway = null)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

internal sealed record StartedSession(string SessionId, string Lane, int WidgetId);

/// <summary>A message the gateway acknowledged in a sendMessage response.</summary>
internal sealed record AcknowledgedMessage(string SessionId, string Recipient, string MessageId, string Status);
