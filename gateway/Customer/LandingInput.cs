namespace Widgets.Gateway.Customer;

/// <summary>The landing form's values as the customer typed them (or as the POS prefilled them), before validation.</summary>
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

    public static LandingInput Prefill(CustomerProfile profile) => new()
    {
        FirstName = profile.FirstName ?? "",
        LastName = profile.LastName ?? "",
        Email = profile.CustomerEmail ?? "",
        Phone = profile.CustomerPhone ?? "",
    };
}
