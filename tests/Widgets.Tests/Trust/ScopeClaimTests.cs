using System.Security.Claims;
using Widgets.Gateway.Auth;
using Xunit;

namespace Widgets.Tests.Trust;

/// <summary>A scope is granted only when the token's space-separated scope claim lists it whole.</summary>
public sealed class ScopeClaimTests
{
    [Theory]
    [InlineData("pos_integration", "pos_integration", true)]
    [InlineData("widgets_admin pos_integration", "pos_integration", true)]
    [InlineData("pos_integration widgets_admin", "widgets_admin", true)]
    [InlineData("pos_integration  widgets_admin", "widgets_admin", true)]
    [InlineData("pos_integration_extra", "pos_integration", false)]
    [InlineData("xpos_integration", "pos_integration", false)]
    [InlineData("pos", "pos_integration", false)]
    [InlineData("POS_INTEGRATION", "pos_integration", false)]
    [InlineData("", "pos_integration", false)]
    [InlineData(null, "pos_integration", false)]
    public void Scope_is_granted_only_when_listed_whole(string? claim, string scope, bool granted)
    {
        var identity = new ClaimsIdentity("test");
        if (claim is not null)
        {
            identity.AddClaim(new Claim(AccessTokens.ScopeClaim, claim));
        }

        Assert.Equal(granted, new ClaimsPrincipal(identity).HasScope(scope));
    }
}
