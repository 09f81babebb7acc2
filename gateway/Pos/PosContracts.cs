using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>The body of widgets/list.</summary>
public sealed record ListWidgetsRequest([property: Required] string? PosLocationId, string? TerminalId, string? Context) : IPosAddressed, IValidatable
{
    /// <summary>The context asked for; read after <see cref="Validate"/> accepted it.</summary>
    public WidgetContext? ParsedContext() => FieldRules.Context(Context, new FieldErrors());

    public void Validate(FieldErrors errors)
    {
        FieldRules.Id(PosLocationId, "posLocationId", errors);
        FieldRules.Id(TerminalId, "terminalId", errors, required: false);
        FieldRules.Context(Context, errors);
    }
}

/// <summary>The body of widget/start.</summary>
public sealed record StartSessionRequest(
    [property: Required] string? PosLocationId,
    [property: Required] string? TerminalId,
    [property: Required, JsonConverter(typeof(FlexibleIntConverter))] int? WidgetId,
    string? CouponId) : IPosAddressed, IValidatable
{
    public void Validate(FieldErrors errors)
    {
        FieldRules.Id(PosLocationId, "posLocationId", errors);
        FieldRules.Id(TerminalId, "terminalId", errors);
        FieldRules.WidgetId(WidgetId, errors, "Required: the id of a listed widget.");
        FieldRules.CouponId(CouponId, errors);
    }
}

/// <summary>What the POS knows of the customer; every field may be an empty string.</summary>
public sealed record ProfileDto(string? FirstName, string? LastName, string? CustomerEmail, string? CustomerPhone, string? SalesPerson)
{
    public void Validate(FieldErrors errors)
    {
        FieldRules.Text(FirstName, "profile.firstName", FieldRules.MaxProfileField, errors);
        FieldRules.Text(LastName, "profile.lastName", FieldRules.MaxProfileField, errors);
        FieldRules.Text(CustomerEmail, "profile.customerEmail", FieldRules.MaxProfileField, errors);
        FieldRules.Text(CustomerPhone, "profile.customerPhone", FieldRules.MaxProfileField, errors);
        FieldRules.Text(SalesPerson, "profile.salesPerson", FieldRules.MaxProfileField, errors);
    }

    public CustomerProfile ToProfile() => new()
    {
        FirstName = FirstName,
        LastName = LastName,
        CustomerEmail = CustomerEmail,
        CustomerPhone = CustomerPhone,
        SalesPerson = SalesPerson,
    };
}

/// <summary>The marketing consent the customer gave at the lane, with the text they were shown.</summary>
public sealed record ConsentDto(bool? Marketing, string? Text)
{
    public const int MaxText = 1000;
}

/// <summary>The body of showQrCode and sendMessage (sendMessage also reads channel and consent).</summary>
public sealed record SessionInteractionRequest(
    [property: Required, JsonConverter(typeof(FlexibleIntConverter))] int? WidgetId,
    [property: Required] string? SessionId,
    [property: Required] string? PosLocationId,
    [property: Required] string? TerminalId,
    ProfileDto? Profile,
    string? CouponId,
    string? Channel,
    ConsentDto? Consent) : IPosAddressed, IValidatable
{
    public void Validate(FieldErrors errors)
    {
        FieldRules.Id(PosLocationId, "posLocationId", errors);
        FieldRules.Id(TerminalId, "terminalId", errors);
        FieldRules.WidgetId(WidgetId, errors, "Required: the session's widget id.");
        FieldRules.SessionId(SessionId, errors);
        FieldRules.CouponId(CouponId, errors);
        Profile?.Validate(errors);
        if (Consent?.Text is { Length: > ConsentDto.MaxText })
        {
            errors.Add("consent.text", $"At most {ConsentDto.MaxText} characters.");
        }
    }

    /// <summary>What the session grain is told of this call.</summary>
    public Interaction ToInteraction(LocationKey location, RequestKey? idempotency) =>
        new(new SessionAddress(location, TerminalId, WidgetId), Profile?.ToProfile(), CouponId, idempotency);
}

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

/// <summary>One message of a session; <c>to</c> is masked.</summary>
public sealed record MessageDto(string MessageId, WidgetChannel Channel, string To, MessageStatus Status, string? Reason = null);

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
        m.Channel,
        m.Channel == WidgetChannel.Sms ? Masking.Phone(m.To) : Masking.Email(m.To),
        m.Status,
        m.Reason);
}
