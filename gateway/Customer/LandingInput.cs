namespace Widgets.Gateway.Customer;

/// <summary>The landing form's values as the customer typed them (the first name possibly prefilled), before validation.</summary>
internal sealed record LandingInput
{
    public string FirstName { get; init; } = "";
    public string LastName { get; init; } = "";
    public string Email { get; init; } = "";
    public string Phone { get; init; } = "";
    public bool Consent { get; init; }
    public bool AcceptRules { get; init; }
    public string? Csrf { get; init; }

    public IReadOnlyDictionary<string, string> Answers { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// What the form starts with: the first name the POS gave while the session runs, never a contact detail (the
    /// landing link is on a public screen; the page shows a masked hint instead) and nothing once it ended.
    /// </summary>
    public static LandingInput Prefill(LandingView view) => view.Ended ? new() : new() { FirstName = view.Profile.FirstName ?? "" };
}
