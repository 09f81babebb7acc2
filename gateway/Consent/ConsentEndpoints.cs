using Widgets.Consent;
using Widgets.Gateway.Customer;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;
using Widgets.Gateway.Links;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Consent;

/// <summary>How people stop messages: SMS replies through Twilio's webhook and the unsubscribe link in every email.</summary>
public static class ConsentEndpoints
{
    private const int MaxFormBytes = 16 * 1024;

    private static readonly ProblemCode MessageNotFound = new("message_not_found", 404, "Not found", "No such message.");

    private static readonly ProblemCode InvalidSignature = new("invalid_signature", 403, "Forbidden", "X-Twilio-Signature does not match this request.");

    public static IEndpointRouteBuilder MapConsentEndpoints(this IEndpointRouteBuilder app)
    {
        // Twilio's callbacks, not part of the integrators' API: left out of the OpenAPI document (docs/SECURITY.md has them).
        var hooks = app.MapGroup("/webhooks/twilio").AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        hooks.MapPost("/sms", InboundSms);
        hooks.MapPost("/status/{sessionId}/{messageId}", DeliveryStatus);
        app.MapGet("/u/{token}", AskToUnsubscribe).AllowAnonymous().RequireRateLimiting(RateLimits.PublicPolicy).ExcludeFromDescription();
        app.MapPost("/u/{token}", Unsubscribe).AllowAnonymous().DisableAntiforgery().RequireRateLimiting(RateLimits.PublicPolicy).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> InboundSms(HttpRequest request, TwilioSignature signature, RecipientParser parser, IGrainFactory grains, ILogger<TwilioSignature> logger)
    {
        var (form, refused) = await ReadSignedForm(request, signature);
        if (refused is not null)
        {
            return refused;
        }

        var from = parser.NormalizePhone(form!["From"].ToString());
        var keyword = SmsKeywords.Classify(form["Body"]);
        if (from is not null && keyword is { } optOut)
        {
            var recipient = grains.Grain<IRecipientGrain>(RecipientKeys.Sms(from));
            await (optOut ? recipient.OptOut("sms-reply") : recipient.OptIn("sms-reply"));
            logger.LogInformation("SMS {Keyword} from {Phone}", optOut ? "opt-out" : "opt-in", Masking.Phone(from));
        }

        return TypedResults.Text("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>", "text/xml");
    }

    private static async Task<IResult> DeliveryStatus(string sessionId, string messageId, HttpRequest request, TwilioSignature signature, IGrainFactory grains)
    {
        var (form, refused) = await ReadSignedForm(request, signature);
        if (refused is not null)
        {
            return refused;
        }

        MessageStatus? status = form!["MessageStatus"].ToString() switch
        {
            "delivered" => MessageStatus.Delivered,
            "sent" => MessageStatus.Sent,
            "failed" or "undelivered" => MessageStatus.Failed,
            _ => null,
        };
        if (status is null || !FieldRules.IsSessionId(sessionId) || !FieldRules.IsSessionId(messageId))
        {
            return TypedResults.NoContent();
        }

        var error = form["ErrorCode"].ToString() is { Length: > 0 and <= 16 } code ? $"provider error {code}" : null;
        var known = await grains.Grain<IWidgetSessionGrain>(sessionId).UpdateDelivery(messageId, status.Value, error);
        return known ? TypedResults.NoContent() : Problems.Of(MessageNotFound);
    }

    /// <summary>The question, in the language the link names; a tampered link in the default language.</summary>
    private static IResult AskToUnsubscribe(string token, HttpContext context, UnsubscribeTokens tokens) =>
        tokens.Verify(token) is { } link
            ? UnsubscribePage.Ask($"{context.Request.PathBase}/u/{token}", CustomerTexts.For(link.Locale))
            : UnsubscribePage.Invalid(CustomerTexts.For(null));

    /// <summary>The page's button and RFC 8058 one-click POSTs from mail clients both land here.</summary>
    private static async Task<IResult> Unsubscribe(string token, UnsubscribeTokens tokens, IGrainFactory grains)
    {
        if (tokens.Verify(token) is not { } link)
        {
            return UnsubscribePage.Invalid(CustomerTexts.For(null));
        }

        await grains.Grain<IRecipientGrain>(link.Recipient).OptOut("email-unsubscribe");
        return UnsubscribePage.Done(CustomerTexts.For(link.Locale));
    }

    private static async Task<(IFormCollection? Form, IResult? Refused)> ReadSignedForm(HttpRequest request, TwilioSignature signature)
    {
        if (!signature.IsConfigured)
        {
            return (null, Problems.Of(ProblemCodes.NotFound, "Twilio webhooks are off: set Sms:Twilio:AuthToken."));
        }

        if (!request.HasFormContentType)
        {
            return (null, Problems.Of(ProblemCodes.InvalidRequest, "Expected Twilio's form-encoded webhook."));
        }

        if (request.ContentLength > MaxFormBytes)
        {
            return (null, Problems.Of(ProblemCodes.PayloadTooLarge, $"Webhook bodies are limited to {MaxFormBytes / 1024} KB."));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (InvalidDataException)
        {
            // Too many fields, an over-long name or an encoded NUL: not a webhook Twilio sends.
            return (null, Problems.Of(ProblemCodes.InvalidRequest, "Expected Twilio's form-encoded webhook."));
        }

        return signature.IsValid(request, form)
            ? (form, null)
            : (null, Problems.Of(InvalidSignature));
    }
}
