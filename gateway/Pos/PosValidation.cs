using System.Text.RegularExpressions;
using Widgets.Gateway.Http;

namespace Widgets.Gateway.Pos;

/// <summary>Shape checks of POS requests; they run before any grain is called, so a rejected request changes nothing.</summary>
public static partial class PosValidation
{
    private const int MaxProfileField = 200;

    public static bool IsSessionId(string? id) => id is not null && SessionIdPattern().IsMatch(id);

    public static IResult? Start(StartSessionRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        RequireId(r.PosLocationId, "posLocationId", errors);
        RequireId(r.TerminalId, "terminalId", errors);
        if (r.WidgetId is null or < 1)
        {
            errors["widgetId"] = ["Required: the id of a listed widget."];
        }

        if (r.CouponId is { Length: > 64 })
        {
            errors["couponId"] = ["At most 64 characters."];
        }

        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }

    public static IResult? Interaction(SessionInteractionRequest r)
    {
        var errors = new Dictionary<string, string[]>();
        RequireId(r.PosLocationId, "posLocationId", errors);
        RequireId(r.TerminalId, "terminalId", errors);
        if (r.WidgetId is null or < 1)
        {
            errors["widgetId"] = ["Required: the session's widget id."];
        }

        if (string.IsNullOrEmpty(r.SessionId))
        {
            errors["sessionId"] = ["Required: the sessionId returned by widget/start."];
        }

        if (r.Profile is { } p)
        {
            foreach (var (name, value) in new[] { ("firstName", p.FirstName), ("lastName", p.LastName), ("customerEmail", p.CustomerEmail), ("customerPhone", p.CustomerPhone), ("salesPerson", p.SalesPerson) })
            {
                if (value is not null && (value.Length > MaxProfileField || value.Any(char.IsControl)))
                {
                    errors[$"profile.{name}"] = [$"At most {MaxProfileField} characters, no control characters."];
                }
            }
        }

        if (r.Consent?.Text is { Length: > 1000 })
        {
            errors["consent.text"] = ["At most 1000 characters."];
        }

        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }

    public static (WidgetContext? Context, IResult? Problem) Context(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return (null, null);
        }

        return Enum.TryParse<WidgetContext>(value, ignoreCase: true, out var context) && Enum.IsDefined(context) && !char.IsDigit(value[0])
            ? (context, null)
            : (null, Problems.Field("context", "Use checkout, idle or postPurchase."));
    }

    private static void RequireId(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors[field] = ["Required."];
        }
        else if (!Keys.LocationKey.IsValidId(value))
        {
            errors[field] = ["1–64 letters, digits, dots, dashes or underscores."];
        }
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex SessionIdPattern();
}
