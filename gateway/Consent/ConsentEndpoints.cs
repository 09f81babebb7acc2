using System.Net;
using Widgets.Consent;
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
        app.MapGet("/u/{token}", UnsubscribePage).AllowAnonymous().RequireRateLimiting(RateLimits.PublicPolicy).ExcludeFromDescription();
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

    private static IResult UnsubscribePage(string token, UnsubscribeTokens tokens, HttpResponse response)
    {
        var recipient = tokens.Verify(token);
        NoStore(response);
        return recipient is null
            ? Page(404, "Link not valid", "<p>This unsubscribe link is not valid.</p>")
            : Page(200, "Unsubscribe", "<p>Stop all marketing emails to the address this message was sent to?</p>"
                + $"<form method=\"post\" action=\"/u/{WebUtility.HtmlEncode(token)}\"><button type=\"submit\">Unsubscribe</button></form>");
    }

    /// <summary>The page's button and RFC 8058 one-click POSTs from mail clients both land here.</summary>
    private static async Task<IResult> Unsubscribe(string token, UnsubscribeTokens tokens, IGrainFactory grains, HttpResponse response)
    {
        var recipient = tokens.Verify(token);
        NoStore(response);
        if (recipient is null)
        {
            return Page(404, "Link not valid", "<p>This unsubscribe link is not valid.</p>");
        }

        await grains.Grain<IRecipientGrain>(recipient).OptOut("email-unsubscribe");
        return Page(200, "Unsubscribed", "<p>You are unsubscribed. You will get no more marketing emails from us.</p>");
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

    private static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static IResult Page(int status, string title, string body) => TypedResults.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title>"
        + "<style>body{font:18px system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.8rem 1.6rem}</style></head>"
        + $"<body><h1>{title}</h1>{body}</body></html>", "text/html; charset=utf-8", statusCode: status);
}
