using System.Text.RegularExpressions;

namespace Widgets.Gateway.Http;

/// <summary>Field errors of one request, by field path (<c>profile.customerPhone</c>), as problem+json's <c>errors</c>.</summary>
public sealed class FieldErrors : Dictionary<string, string[]>
{
    public FieldErrors()
        : base(StringComparer.Ordinal)
    {
    }

    public void Add(string field, string message) => this[field] = [message];
}

/// <summary>A request body that checks its own shape after it is read, before any grain is called.</summary>
public interface IValidatable
{
    void Validate(FieldErrors errors);
}

/// <summary>
/// One rule per kind of field, used by every endpoint that takes that field, so the same value is never accepted by
/// one call and refused by another.
/// </summary>
public static partial class FieldRules
{
    public const string IdRule = "1–64 letters, digits, dots, dashes or underscores, starting with a letter or digit.";
    public const int MaxCouponId = 64;
    public const int MaxProfileField = 200;

    /// <summary>A location, terminal or client id (<see cref="LocationKey.IsValidId"/>).</summary>
    public static void Id(string? value, string field, FieldErrors errors, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required)
            {
                errors.Add(field, "Required.");
            }
        }
        else if (!LocationKey.IsValidId(value))
        {
            errors.Add(field, IdRule);
        }
    }

    public static void WidgetId(int? value, FieldErrors errors, string required)
    {
        if (value is null or < 1)
        {
            errors.Add("widgetId", required);
        }
    }

    public static void SessionId(string? value, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            errors.Add("sessionId", "Required: the sessionId returned by widget/start.");
        }
    }

    public static bool IsSessionId(string? value) => value is not null && SessionIdPattern().IsMatch(value);

    public static void CouponId(string? value, FieldErrors errors)
    {
        if (value is { Length: > MaxCouponId } || (value is not null && value.Any(char.IsControl)))
        {
            errors.Add("couponId", $"At most {MaxCouponId} characters, no control characters.");
        }
    }

    /// <summary>Free text a person typed (names, the sales person): bounded, no control characters.</summary>
    public static void Text(string? value, string field, int max, FieldErrors errors)
    {
        if (value is not null && (value.Length > max || value.Any(char.IsControl)))
        {
            errors.Add(field, $"At most {max} characters, no control characters.");
        }
    }

    /// <summary>A widget context by the rule of every enum the gateway reads (<see cref="EnumNames{T}"/>).</summary>
    public static WidgetContext? Context(string? value, FieldErrors errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (EnumNames<WidgetContext>.TryParse(value, out var context))
        {
            return context;
        }

        errors.Add("context", EnumNames<WidgetContext>.Expected);
        return null;
    }

    // \z, not $: $ also matches before a final newline.
    [GeneratedRegex(@"\A[0-9a-f]{32}\z")]
    private static partial Regex SessionIdPattern();
}
