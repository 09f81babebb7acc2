using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Widgets.Gateway.Customer.Texts;
using Widgets.Gateway.Http;
using Widgets.Gateway.Pos;

namespace Widgets.Gateway.Customer;

/// <summary>
/// Reads a posted landing form (urlencoded, at most 16 KB) and checks the contact fields' form before the session
/// grain checks what the widget type requires.
/// </summary>
internal static class LandingForm
{
    public const int MaxBytes = 16 * 1024;
    private const string AnswerPrefix = "answers.";

    /// <summary>The posted fields, or the status code of why they cannot be read (413, 415, 400).</summary>
    public static async Task<(LandingInput? Input, int Status)> Read(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            return (null, StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }

        Dictionary<string, StringValues> fields;
        try
        {
            using var buffer = new MemoryStream();
            await new LimitedStream(request.Body, MaxBytes).CopyToAsync(buffer, request.HttpContext.RequestAborted);
            buffer.Position = 0;
            using var reader = new FormReader(buffer) { ValueCountLimit = 64, KeyLengthLimit = 128, ValueLengthLimit = MaxBytes };
            fields = await reader.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        catch (LimitedStream.TooLargeException)
        {
            return (null, StatusCodes.Status413PayloadTooLarge);
        }
        catch (InvalidDataException)
        {
            return (null, StatusCodes.Status400BadRequest);
        }

        var answers = fields
            .Where(f => f.Key.StartsWith(AnswerPrefix, StringComparison.Ordinal) && f.Key.Length > AnswerPrefix.Length)
            .Select(f => (Id: f.Key[AnswerPrefix.Length..], Value: First(f.Value)))
            .Where(a => a.Value.Length > 0)
            .ToDictionary(a => a.Id, a => a.Value, StringComparer.Ordinal);
        return (new LandingInput
        {
            Csrf = Field(fields, "csrf"),
            FirstName = Field(fields, "firstName"),
            LastName = Field(fields, "lastName"),
            Email = Field(fields, "email"),
            Phone = Field(fields, "phone"),
            Consent = Checked(fields, "consent"),
            AcceptRules = Checked(fields, "acceptRules"),
            Answers = answers,
        }, StatusCodes.Status200OK);
    }

    /// <summary>
    /// The submission for the session grain, keeping only the fields this widget type shows, with the contacts
    /// normalised (E.164 phone, plain email address); or the fields whose form is wrong.
    /// </summary>
    public static (LandingSubmission Submission, Dictionary<string, string[]> Errors) Validate(WidgetType type, LandingInput input, RecipientParser parser, CustomerTexts texts)
    {
        var rules = WidgetTypes.For(type);
        var uses = rules.Landing;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (uses.Names)
        {
            CheckLength(errors, "firstName", input.FirstName, WidgetLimits.MaxName, texts);
            CheckLength(errors, "lastName", input.LastName, WidgetLimits.MaxName, texts);
        }

        string? email = null, phone = null;
        if (uses.Email && input.Email.Length > 0 && (email = RecipientParser.NormalizeEmail(input.Email)) is null)
        {
            errors["email"] = [texts.Landing.InvalidEmail];
        }

        if (uses.Phone && input.Phone.Length > 0 && (phone = parser.NormalizePhone(input.Phone)) is null)
        {
            errors["phone"] = [texts.Landing.InvalidPhone];
        }

        if (uses.Answers)
        {
            foreach (var (id, answer) in input.Answers)
            {
                CheckLength(errors, AnswerPrefix + id, answer, WidgetLimits.MaxAnswer, texts);
            }
        }

        var submission = new LandingSubmission
        {
            FirstName = uses.Names ? NullIfEmpty(input.FirstName) : null,
            LastName = uses.Names ? NullIfEmpty(input.LastName) : null,
            Email = email,
            Phone = phone,
            Consent = uses.Consent && input.Consent,
            ConsentText = rules.ConsentIn(texts.Lang),
            AcceptRules = uses.Rules && input.AcceptRules,
            Answers = uses.Answers ? input.Answers : new Dictionary<string, string>(StringComparer.Ordinal),
        };
        return (submission, errors);
    }

    private static void CheckLength(Dictionary<string, string[]> errors, string field, string value, int max, CustomerTexts texts)
    {
        if (value.Length > max)
        {
            errors[field] = [string.Format(System.Globalization.CultureInfo.InvariantCulture, texts.Landing.TooLong, max)];
        }
    }

    private static string Field(Dictionary<string, StringValues> fields, string name) =>
        fields.TryGetValue(name, out var values) ? First(values) : "";

    private static string First(StringValues values) => values.Count > 0 ? (values[0] ?? "").Trim() : "";

    private static bool Checked(Dictionary<string, StringValues> fields, string name) =>
        Field(fields, name).ToLowerInvariant() is "yes" or "on" or "true" or "1";

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
