using System.Text.RegularExpressions;

namespace Widgets.Catalogue;

/// <summary>
/// Settings of a location as a whole: its time zone (SMS quiet hours are in the store's local time), how its
/// terminals' screens look and behave, the language of its customer pages, and how long customers' data is kept.
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.LocationSettings")]
public sealed record LocationSettings
{
    [Id(0)] public string? Name { get; init; }

    /// <summary>An IANA time zone id such as America/New_York; UTC when unset.</summary>
    [Id(1)] public string TimeZone { get; init; } = "UTC";

    /// <summary>The look of the terminals' screens and the customer pages.</summary>
    [Id(2)] public LocationBrand Brand { get; init; } = new();

    /// <summary>The language of every built-in text of the screen, landing and unsubscribe pages.</summary>
    [Id(3)] public string Locale { get; init; } = LocationSettingsRules.DefaultLocale;

    /// <summary>How long the idle screen shows each widget before the next.</summary>
    [Id(4)] public int CarouselSeconds { get; init; } = LocationSettingsRules.DefaultCarouselSeconds;

    /// <summary>Whether a customer may start a widget by tapping it on the idle screen.</summary>
    [Id(5)] public bool SelfStart { get; init; }

    /// <summary>After this many days customers' contact details and answers are erased; the funnel counts stay.</summary>
    [Id(6)] public int RetentionDays { get; init; } = LocationSettingsRules.DefaultRetentionDays;
}

/// <summary>A location's branding on its screens and customer pages.</summary>
[GenerateSerializer, Immutable, Alias("Widgets.LocationBrand")]
public sealed record LocationBrand
{
    /// <summary>The name shown on the screen; the location's name when unset.</summary>
    [Id(0)] public string? Name { get; init; }

    /// <summary>A logo: a path on this service (<c>/…</c>) or an <c>https://</c> address the store's screens can reach.</summary>
    [Id(1)] public string? LogoUrl { get; init; }

    /// <summary><c>#RRGGBB</c>: buttons, highlights and the QR view's frame.</summary>
    [Id(2)] public string PrimaryColor { get; init; } = "#1F4FD1";

    /// <summary><c>#RRGGBB</c>: the page's background.</summary>
    [Id(3)] public string BackgroundColor { get; init; } = "#FFFFFF";
}

/// <summary>
/// A change to a location's settings (the body of <c>PUT …/settings</c> and the console's form): the fields given
/// replace the current ones, the fields left out keep theirs; <see cref="Brand"/> is replaced whole.
/// </summary>
[GenerateSerializer, Immutable, Alias("Widgets.LocationSettingsChange")]
public sealed record LocationSettingsChange
{
    /// <summary>The location's name; an empty string clears it.</summary>
    [Id(0)] public string? Name { get; init; }

    [Id(1)] public string? TimeZone { get; init; }

    [Id(2)] public LocationBrand? Brand { get; init; }

    [Id(3)] public string? Locale { get; init; }

    [Id(4)] public int? CarouselSeconds { get; init; }

    [Id(5)] public bool? SelfStart { get; init; }

    [Id(6)] public int? RetentionDays { get; init; }

    /// <summary>The settings after this change.</summary>
    public LocationSettings AppliedTo(LocationSettings current) => current with
    {
        Name = Name is null ? current.Name : Name.Length == 0 ? null : Name,
        TimeZone = TimeZone ?? current.TimeZone,
        Brand = Brand ?? current.Brand,
        Locale = Locale ?? current.Locale,
        CarouselSeconds = CarouselSeconds ?? current.CarouselSeconds,
        SelfStart = SelfStart ?? current.SelfStart,
        RetentionDays = RetentionDays ?? current.RetentionDays,
    };
}

/// <summary>What a location's settings may hold: the one home of these rules, for the grain, the API and the console.</summary>
public static partial class LocationSettingsRules
{
    public const string DefaultLocale = "en";
    public const int DefaultCarouselSeconds = 8;
    public const int MinCarouselSeconds = 3;
    public const int MaxCarouselSeconds = 60;
    public const int DefaultRetentionDays = 365;
    public const int MinRetentionDays = 1;
    public const int MaxRetentionDays = 3650;
    public const int MaxName = 200;
    public const int MaxLogoUrl = 2048;

    /// <summary>The languages the built-in texts of the screen, landing and unsubscribe pages are written in.</summary>
    public static IReadOnlyList<string> Locales { get; } = ["en", "es", "fr"];

    /// <summary>The reasons <paramref name="settings"/> cannot be kept, by JSON field path; empty when it can.</summary>
    public static Dictionary<string, string[]> Check(LocationSettings settings)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(settings.TimeZone, out _))
        {
            errors["timeZone"] = ["Use an IANA time zone id such as America/New_York."];
        }

        if (settings.Name is { Length: > MaxName })
        {
            errors["name"] = [$"At most {MaxName} characters."];
        }

        if (!Locales.Contains(settings.Locale, StringComparer.Ordinal))
        {
            errors["locale"] = [$"One of: {string.Join(", ", Locales)}."];
        }

        if (settings.CarouselSeconds is < MinCarouselSeconds or > MaxCarouselSeconds)
        {
            errors["carouselSeconds"] = [$"From {MinCarouselSeconds} to {MaxCarouselSeconds} seconds."];
        }

        if (settings.RetentionDays is < MinRetentionDays or > MaxRetentionDays)
        {
            errors["retentionDays"] = [$"From {MinRetentionDays} to {MaxRetentionDays} days."];
        }

        var brand = settings.Brand;
        if (brand.Name is { Length: > MaxName } || (brand.Name is not null && brand.Name.Any(char.IsControl)))
        {
            errors["brand.name"] = [$"At most {MaxName} characters, no control characters."];
        }

        if (brand.LogoUrl is not null && !IsLogoUrl(brand.LogoUrl))
        {
            errors["brand.logoUrl"] = [$"A path on this service (/…) or an https:// address, at most {MaxLogoUrl} characters, without spaces, quotes or angle brackets."];
        }

        if (!IsColor(brand.PrimaryColor))
        {
            errors["brand.primaryColor"] = ["A colour as #RRGGBB, such as #1F4FD1."];
        }

        if (!IsColor(brand.BackgroundColor))
        {
            errors["brand.backgroundColor"] = ["A colour as #RRGGBB, such as #FFFFFF."];
        }

        return errors;
    }

    public static bool IsColor(string? value) => value is not null && ColorPattern().IsMatch(value);

    /// <summary>Root-relative (not protocol-relative) or https; nothing that could leave an HTML attribute or CSS url().</summary>
    public static bool IsLogoUrl(string value) =>
        value.Length <= MaxLogoUrl
        && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '\'' or '<' or '>' or '\\' or '(' or ')')
        && ((value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal))
            || (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host)));

    [GeneratedRegex(@"^#[0-9A-Fa-f]{6}\z")]
    private static partial Regex ColorPattern();
}
