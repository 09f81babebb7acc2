using System.Text.Json;
using System.Text.Json.Serialization;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

public sealed record ListWidgetsRequest(string? PosLocationId, string? TerminalId, string? Context);

public sealed record StartSessionRequest(
    string? PosLocationId,
    string? TerminalId,
    [property: JsonConverter(typeof(FlexibleIntConverter))] int? WidgetId,
    string? CouponId);

public sealed record ProfileDto(string? FirstName, string? LastName, string? CustomerEmail, string? CustomerPhone, string? SalesPerson);

public sealed record ConsentDto(bool? Marketing, string? Text);

/// <summary>The body of showQrCode and sendMessage (sendMessage also reads channel and consent).</summary>
public sealed record SessionInteractionRequest(
    [property: JsonConverter(typeof(FlexibleIntConverter))] int? WidgetId,
    string? SessionId,
    string? PosLocationId,
    string? TerminalId,
    ProfileDto? Profile,
    string? CouponId,
    string? Channel,
    ConsentDto? Consent);

public sealed record DataEnvelope<T>(T Data);

public sealed record StartSessionResponse(
    string SessionId,
    string QrCodePreviewHtmlLinkUrl,
    DateTimeOffset ExpiresAt,
    int TimeoutSeconds,
    string StatusUrl,
    string EventsUrl);

public sealed record ShowQrCodeResponse(
    string QrCodeHtmlLinkUrl,
    string LandingUrl,
    string QrCodePngUrl,
    string QrCodeSvgUrl,
    DateTimeOffset ExpiresAt);

public sealed record MessageDto(string MessageId, string Channel, string To, string Status, string? Reason = null);

public sealed record SendMessageResponse(IReadOnlyList<MessageDto> Messages);

public sealed record SessionDto(
    string SessionId,
    int WidgetId,
    string TerminalId,
    SessionState State,
    DateTimeOffset StartedAt,
    DateTimeOffset LastInteractionAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    IReadOnlyList<MessageDto> Messages)
{
    public static SessionDto From(SessionView v) => new(
        v.SessionId, v.WidgetId, v.TerminalId, v.State, v.StartedAt, v.LastInteractionAt, v.ExpiresAt, v.EndedAt, v.EndReason,
        v.Messages.Select(MessageDtos.From).ToList());
}

public static class MessageDtos
{
    public static MessageDto From(MessageRecord m) => new(
        m.MessageId,
        m.Channel.ToString().ToLowerInvariant(),
        m.Channel == WidgetChannel.Sms ? Masking.Phone(m.To) : Masking.Email(m.To),
        JsonNamingPolicy.CamelCase.ConvertName(m.Status.ToString()),
        m.Reason);
}
