using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Widgets.Analytics;
using Widgets.Catalogue;
using Widgets.Sessions;

namespace Widgets.Grains.Telemetry;

/// <summary>
/// The product's own metrics and spans: the funnel, message sends and session ends. Every label value comes from a
/// closed set (a widget type, a context, a channel, an outcome, an end reason), so a label never carries a session id,
/// a phone number, an email address, a location or a terminal: the series stay bounded however many stores run. Per
/// location and terminal figures are the stats API's (<c>…/stats</c>), not the metrics'. Exported by whatever the host
/// configures (the Prometheus endpoint, OTLP); with no listener each call costs a check of an empty flag.
/// </summary>
public static class WidgetsTelemetry
{
    /// <summary>The meter and activity source name the hosts subscribe to.</summary>
    public const string Name = "Widgets";

    public static readonly ActivitySource Activities = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Funnel = Meter.CreateCounter<long>(
        "widgets.funnel.steps", "{step}", "Funnel steps: widgets listed, sessions started, QR codes shown, messages sent, scans, conversions, time-outs, cancellations.");

    private static readonly Counter<long> Messages = Meter.CreateCounter<long>(
        "widgets.messages", "{message}", "Message hand-offs by channel and outcome (sent, suppressed, failed, unknown).");

    private static readonly Counter<long> Ends = Meter.CreateCounter<long>(
        "widgets.sessions.ended", "{session}", "Sessions ended, by reason (completed, timedOut, cancelled, superseded).");

    private static readonly string[] Steps = Labels<WidgetCounter>();
    private static readonly string[] Types = Labels<WidgetType>();
    private static readonly string[] Contexts = Labels<WidgetContext>();
    private static readonly string[] Channels = Labels<WidgetChannel>();
    private static readonly string[] Statuses = Labels<MessageStatus>();
    private static readonly string[] States = Labels<SessionState>();

    /// <summary>A funnel step of one widget; <paramref name="context"/> is known for listings only ("any" otherwise).</summary>
    public static void Step(WidgetCounter step, WidgetType type, WidgetContext? context = null, long amount = 1)
    {
        if (Funnel.Enabled)
        {
            Funnel.Add(amount,
                new KeyValuePair<string, object?>("step", Steps[(int)step]),
                new KeyValuePair<string, object?>("widget_type", Types[(int)type]),
                new KeyValuePair<string, object?>("context", context is { } c ? Contexts[(int)c] : "any"));
        }
    }

    /// <summary>One message's outcome: sent, suppressed, failed or unknown.</summary>
    public static void Message(WidgetChannel channel, MessageStatus outcome)
    {
        if (Messages.Enabled)
        {
            Messages.Add(1,
                new KeyValuePair<string, object?>("channel", Channels[(int)channel]),
                new KeyValuePair<string, object?>("outcome", Statuses[(int)outcome]));
        }
    }

    public static void SessionEnded(SessionState reason, WidgetType type)
    {
        if (Ends.Enabled)
        {
            Ends.Add(1,
                new KeyValuePair<string, object?>("reason", States[(int)reason]),
                new KeyValuePair<string, object?>("widget_type", Types[(int)type]));
        }
    }

    /// <summary>A span around one provider hand-off (SMTP relay or Twilio); null when nobody records traces.</summary>
    public static Activity? StartSend(WidgetChannel channel)
    {
        var span = Activities.StartActivity(channel == WidgetChannel.Sms ? "send sms" : "send email", ActivityKind.Client);
        span?.SetTag("widgets.channel", Channels[(int)channel]);
        return span;
    }

    /// <summary>The enum's names as the API spells them (camelCase), indexed by value.</summary>
    private static string[] Labels<T>() where T : struct, Enum =>
        Enum.GetValues<T>().Select(v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString())).ToArray();
}
