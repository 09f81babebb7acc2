using System.Security.Claims;
using Widgets.Clients;

namespace Widgets.Gateway.Auth;

public static class HttpContextClientExtensions
{
    private const string ItemKey = "widgets.client";

    public static void SetApiClient(this HttpContext context, ApiClient client) => context.Items[ItemKey] = client;

    /// <summary>The authenticated client; endpoints behind an authorization policy always have one.</summary>
    public static ApiClient GetApiClient(this HttpContext context) =>
        context.Items[ItemKey] as ApiClient ?? throw new InvalidOperationException("No authenticated client on this request.");

    /// <summary>The authenticated client, or null on a request no client signed (the console's sign-in page).</summary>
    public static ApiClient? FindApiClient(this HttpContext context) => context.Items[ItemKey] as ApiClient;

    /// <summary>Whether the space-separated scope claim lists <paramref name="scope"/>; runs on every authorized request, so it splits without allocating.</summary>
    public static bool HasScope(this ClaimsPrincipal user, string scope)
    {
        if (user.FindFirst(AccessTokens.ScopeClaim)?.Value is not { } granted)
        {
            return false;
        }

        foreach (var range in granted.AsSpan().Split(' '))
        {
            if (granted.AsSpan(range).SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }
}
